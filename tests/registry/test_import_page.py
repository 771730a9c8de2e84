"""The import page: template download, a check run listing bad rows, a real run writing the file."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.registry.test_imports import INSTITUTION_HEADERS, as_file, institution_rows
from weijian.registry.models import Institution


def _upload(client, rows, *, dry_run):
    content, name = as_file(rows, INSTITUTION_HEADERS, "csv")
    data = {"kind": "institutions", "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("registry:import"), data)


def test_the_template_downloads_as_xlsx(world, login):
    response = login(world.users["commission_leader"]).get(
        reverse("registry:import_template", args=["institutions"])
    )
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # a zip container, i.e. xlsx


def test_a_check_run_lists_the_bad_row_and_writes_nothing(world, login):
    client = login(world.users["commission_leader"])
    rows = institution_rows(5)
    rows[2]["统一社会信用代码"] = "123"
    before = Institution.objects.count()

    response = _upload(client, rows, dry_run=True)

    report = response.context["report"]
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "统一社会信用代码")]
    assert Institution.objects.count() == before


def test_a_real_run_writes_every_row(world, login):
    client = login(world.users["commission_leader"])
    before = Institution.objects.count()

    response = _upload(client, institution_rows(5), dry_run=False)

    assert response.context["report"]["created"] == 5
    assert Institution.objects.count() == before + 5


def test_roles_without_the_import_permission_get_403(world, login):
    client = login(world.users["supervisor"])
    assert client.get(reverse("registry:import")).status_code == 403
    assert _upload(client, institution_rows(1), dry_run=True).status_code == 403


def test_an_unreadable_file_gets_a_message_not_an_error_page(world, login):
    client = login(world.users["commission_leader"])
    garbage = SimpleUploadedFile("list.xlsx", b"not a workbook", content_type="application/octet-stream")
    before = Institution.objects.count()

    response = client.post(
        reverse("registry:import"), {"kind": "institutions", "file": garbage, "dry_run": "on"}
    )

    assert response.status_code == 200
    assert response.context["report"] is None
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Institution.objects.count() == before
