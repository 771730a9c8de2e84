"""Dates in the API are written YYYY-MM-DD; a number is not read as a timestamp."""

import pytest


@pytest.mark.parametrize("value", ["-5.675595684715519e-224", "0", "20261001", "2026-1-1"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(world, client, value):
    client.force_login(world.users["commission_leader"])
    response = client.get("/api/hazards/todo", {"today": value})
    assert response.status_code == 422
    assert response.json()["field"] == "today"


def test_a_date_written_yyyy_mm_dd_is_accepted(world, client):
    client.force_login(world.users["commission_leader"])
    assert client.get("/api/hazards/todo", {"today": "2026-10-08"}).status_code == 200


@pytest.mark.parametrize("value", [1780000000, 0, "2026-1-1"])
def test_a_date_in_a_request_body_is_written_yyyy_mm_dd(world, client, value):
    client.force_login(world.users["supervisor"])
    response = client.post(
        "/api/cases",
        {
            "category": "beauty_unlicensed_practice",
            "title": "无证行医",
            "source": "other",
            "opened_on": value,
            "party_name": "某美容店",
            "division": "369901001000",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "opened_on"
