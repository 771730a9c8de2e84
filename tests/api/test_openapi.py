"""The API keeps the promises of its OpenAPI document: schemathesis generates requests for every
operation (valid and invalid ones) and checks that no answer is a server error and that each answer
is one the document declares, in the declared shape."""

import datetime as dt
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.rectification import factories
from weijian.campaigns.models import InstitutionClass
from weijian.campaigns.services import campaign_from_template
from weijian.core.tokens import token_create
from weijian.inspections.services import sampling_draw
from weijian.wsgi import application

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]
# positive_data_acceptance is left out on purpose: data valid for the document can still be refused
# by the domain with 422 (a credit code with a wrong check digit, an unknown division).

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}


@pytest.fixture
def keep_connection(db):
    """Schemathesis calls the WSGI app directly, not through Django's test client, so do what that
    client does: keep the end of a request from closing the connection that holds the test's
    transaction (PostgreSQL; SQLite's in-memory test database is never closed)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(keep_connection):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def _run(operation, headers, mode, **fixed):
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=EXAMPLES[mode], deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def _insurance_ids(world) -> dict[str, int]:
    """A settled claim of the county hospital and its month's statement, for the {id} paths."""
    from tests.insurance.fixtures import build_financing
    from weijian.insurance import services as insurance

    financing = build_financing(world)
    clerk = world.users["insurance_clerk"]
    claim = insurance.claim_enter(
        clerk,
        institution=world.institutions["county_hospital"],
        member=financing.households["wang"].members.get(name="王大山"),
        claim_type="inpatient",
        admit_date=dt.date(2026, 3, 1),
        discharge_date=dt.date(2026, 3, 10),
        total="10000",
        self_pay="1000",
    )
    settlement = insurance.claim_settle(clerk, claim, on=dt.date(2026, 3, 10))
    statement = insurance.statement_generate(
        clerk, world.institutions["county_hospital"], dt.date(2026, 3, 1)
    )
    return {"/claims/": claim.pk, "/settlements/": settlement.pk, "/statements/": statement.pk}


def _enforcement_ids(world) -> dict[str, int]:
    """A filed case of county A and an enforcement record and a complaint of each kind, for the {id} paths."""
    from tests.complaints import factories as complaint_factories
    from tests.enforcement import factories as enforcement_factories
    from weijian.enforcement import services as enforcement

    supervisor = world.users["supervisor"]
    campaign = enforcement_factories.campaign(world)
    case = enforcement_factories.open_case(world, campaign=campaign)
    enforcement_factories.move(world, case, "supervisor", "verify")
    enforcement_factories.move(
        world, case, "supervisor", "file", procedure="general", filed_on=enforcement_factories.FILED_ON
    )
    return {
        "/cases/": case.pk,
        "/site-checks/": enforcement.site_check_record(
            user=supervisor,
            campaign=campaign,
            category=enforcement_factories.category(),
            checked_on=dt.date(2026, 3, 10),
            party_name="美容工作室",
            division=world.divisions["t1"],
        ).pk,
        "/referrals/": enforcement.referral_send(
            user=world.users["department_officer"],
            to_organisation=world.orgs["commission_a"],
            category=enforcement_factories.category(),
            facts="涉嫌违法医疗美容",
            sent_on=dt.date(2026, 3, 3),
            party_name="美容工作室",
            division=world.divisions["t1"],
        ).pk,
        "/judicial-transfers/": enforcement.judicial_transfer_send(
            user=supervisor,
            case_id=case.pk,
            receiving_body="县公安局",
            evidence=["检查笔录"],
            sent_on=dt.date(2026, 3, 6),
        ).pk,
        "/blacklist/": enforcement.blacklist_add(
            user=supervisor,
            reason="情节严重",
            listed_on=dt.date(2026, 5, 1),
            punishment_scope="联合惩戒",
            institution=world.institutions["beauty_t1"],
        ).pk,
        "/complaints/": complaint_factories.register(world).pk,
    }


def _supervision_ids(world) -> dict[str, int]:
    """A campaign of county A with an inspection, a hazard and a sampling draw, for the {id} paths."""
    campaign = campaign_from_template(
        user=None, template_code="health_sector_safety", division=world.divisions["county_a"], year=2026
    )
    campaign.coverage_targets.create(institution_class=InstitutionClass.COUNTY_LEVEL, target_percent=100)
    inspection = factories.inspection(world, on=dt.date(2026, 5, 6), of=campaign)
    draw = sampling_draw(user=None, campaign=campaign, seed=1)
    return {
        "/campaigns/": campaign.pk,
        "/checklists/versions/": inspection.checklist_version_id,
        "/inspections/": inspection.pk,
        "/sampling-draws/": draw.pk,
        "/hazards/": factories.hazard(world, campaign=campaign).pk,
    }


def test_every_operation_answers_as_documented_and_never_with_a_server_error(world, schema):
    _token, key = token_create(user=world.users["commission_leader"], name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    # Random ids mostly miss; also aim every {id} operation at a record the user can see and change.
    known_ids = {
        "/institutions/": world.institutions["th1"].pk,
        "/practitioners/": world.practitioners["th1"].pk,
        "/enterprises/": world.enterprises["supplier_a"].pk,
        **_supervision_ids(world),
        **_enforcement_ids(world),
        **_insurance_ids(world),
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 74
    for operation in operations:
        for mode in EXAMPLES:
            _run(operation, headers, mode)
        if "{id}" in operation.path:
            prefix = next(p for p in known_ids if p in operation.path)
            _run(operation, headers, GenerationMode.POSITIVE, path_parameters={"id": known_ids[prefix]})


def test_the_document_is_public_and_no_page_loads_anything_from_a_cdn(db, client):
    document = client.get("/api/openapi.json")
    docs = client.get("/api/docs")

    assert document.status_code == 200
    assert (document.json()["info"]["title"], document.json()["info"]["version"]) == ("weijian API", "1")
    # Every script, stylesheet and image the docs page loads is served by this server.
    external = re.findall(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', docs.content.decode())
    assert docs.status_code == 200
    assert external == []
