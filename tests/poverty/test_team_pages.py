"""Pages that manage family-doctor teams (create, change members, deactivate) and create check-up
campaigns, on the registry of tests/poverty/conftest.py: team 城关镇第一家庭医生团队 of th1 serves t1 and
holds 王大山's contract; 王大山 and 张三 are poor in v11, 钱已脱 has exited, 李四 is poor in v21."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from weijian.core import synthetic
from weijian.poverty import services
from weijian.poverty.models import CheckupCampaign, Contract, DoctorTeam, TeamMember, TeamRole
from weijian.registry.models import Practitioner, PractitionerCategory

pytestmark = pytest.mark.django_db


def _ids(html: str, prefix: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'id="{prefix}-(\d+)"', html)}


def _members(team: DoctorTeam) -> set[tuple[int, str]]:
    return set(TeamMember.objects.filter(team=team).values_list("practitioner_id", "role"))


@pytest.fixture
def nurse(world):
    return Practitioner.objects.create(
        id_number=synthetic.id_number(world.divisions["t1"].code, dt.date(1988, 5, 6), 903),
        name="城关镇卫生院护士",
        category=PractitionerCategory.NURSE,
        registered_institution=world.institutions["th1"],
    )


def _team_data(world, **roles) -> dict:
    return {
        "institution": world.institutions["th1"].pk,
        "division": world.divisions["v11"].pk,
        "name": "城东村签约团队",
        **{f"role_{pk}": role for pk, role in roles.items()},
    }


# --- teams ------------------------------------------------------------------------------------------------


def test_township_staff_create_a_team_of_their_hospital_with_members_in_their_roles(
    world, poverty_world, login, nurse
):
    doctor, village_doctor = world.practitioners["th1"], world.practitioners["vc11"]
    client = login(world.users["township_staff"])
    html = client.get(reverse("poverty:teams")).content.decode()
    # The only hospital in scope is chosen already; candidates are its staff and v11's village doctor.
    assert _ids(html, "candidate") == {doctor.pk, nurse.pk, village_doctor.pk}
    assert f'id="team-{poverty_world.team.pk}" data-active="true" data-contracts="1"' in html

    response = client.post(
        reverse("poverty:teams"),
        _team_data(
            world,
            **{
                str(doctor.pk): TeamRole.DOCTOR,
                str(nurse.pk): TeamRole.NURSE,
                str(village_doctor.pk): TeamRole.VILLAGE_DOCTOR,
            },
        ),
    )
    assert response.status_code == 302
    team = DoctorTeam.objects.get(name="城东村签约团队")
    assert (team.institution, team.division, team.active) == (
        world.institutions["th1"],
        world.divisions["v11"],
        True,
    )
    assert _members(team) == {
        (doctor.pk, TeamRole.DOCTOR),
        (nurse.pk, TeamRole.NURSE),
        (village_doctor.pk, TeamRole.VILLAGE_DOCTOR),
    }
    html = client.get(reverse("poverty:teams")).content.decode()
    assert f'id="team-{team.pk}" data-active="true" data-contracts="0"' in html


def test_a_team_without_members_is_refused_on_the_members_field(world, poverty_world, login):
    response = login(world.users["township_staff"]).post(reverse("poverty:teams"), _team_data(world))
    assert response.status_code == 200
    assert 'data-field-error="members"' in response.content.decode()
    assert not DoctorTeam.objects.filter(name="城东村签约团队").exists()


def test_a_team_for_another_townships_hospital_is_refused(world, poverty_world, login):
    data = {
        "institution": world.institutions["th2"].pk,
        "division": world.divisions["t2"].pk,
        "name": "东山乡第二团队",
        f"role_{world.practitioners['th2'].pk}": TeamRole.DOCTOR,
    }
    response = login(world.users["township_staff"]).post(reverse("poverty:teams"), data)
    assert response.status_code == 200
    assert 'data-field-error="institution"' in response.content.decode()
    assert not DoctorTeam.objects.filter(name="东山乡第二团队").exists()


def test_a_village_doctor_may_not_create_a_team_nor_sees_the_teams_tab(world, poverty_world, login):
    client = login(world.users["village_doctor"])
    data = _team_data(world, **{str(world.practitioners["vc11"].pk): TeamRole.VILLAGE_DOCTOR})
    assert client.post(reverse("poverty:teams"), data).status_code == 403
    assert not DoctorTeam.objects.filter(name="城东村签约团队").exists()
    tabs = client.get(reverse("poverty:person_list")).content.decode()
    assert reverse("poverty:teams") not in tabs
    staff_tabs = login(world.users["township_staff"]).get(reverse("poverty:person_list")).content.decode()
    assert reverse("poverty:teams") in staff_tabs


def test_the_commission_picks_a_hospital_and_sees_only_its_staff_and_village_doctors(
    world, poverty_world, login
):
    client = login(world.users["commission_leader"])
    html = client.get(reverse("poverty:teams")).content.decode()
    # Two hospitals in the county: nothing to choose members from until one is picked.
    assert 'id="institution-pick"' in html and _ids(html, "candidate") == set()
    html = client.get(
        reverse("poverty:teams"), {"institution": world.institutions["th2"].pk}
    ).content.decode()
    assert _ids(html, "candidate") == {world.practitioners["th2"].pk, world.practitioners["vc21"].pk}


def test_members_are_changed_with_their_roles(world, poverty_world, login, nurse):
    team = poverty_world.team
    doctor, village_doctor = world.practitioners["th1"], world.practitioners["vc11"]
    client = login(world.users["township_staff"])
    url = reverse("poverty:team_members", args=[team.pk])
    html = client.get(url).content.decode()
    assert '<option value="doctor" selected>' in html  # the current roles are preselected

    response = client.post(url, {f"role_{doctor.pk}": "", f"role_{village_doctor.pk}": ""})
    assert 'data-field-error="members"' in response.content.decode()
    response = client.post(
        url,
        {
            f"role_{doctor.pk}": TeamRole.PUBLIC_HEALTH,
            f"role_{nurse.pk}": TeamRole.NURSE,
            f"role_{village_doctor.pk}": "",
        },
    )
    assert response.status_code == 302
    assert _members(team) == {(doctor.pk, TeamRole.PUBLIC_HEALTH), (nurse.pk, TeamRole.NURSE)}


def test_the_members_of_a_team_out_of_scope_are_not_found(world, poverty_world, login):
    other = services.team_create(
        world.users["superuser"],
        institution=world.institutions["th2"],
        division=world.divisions["t2"],
        name="东山乡团队",
        members=[(world.practitioners["th2"], TeamRole.DOCTOR)],
    )
    client = login(world.users["township_staff"])
    assert client.get(reverse("poverty:team_members", args=[other.pk])).status_code == 404
    assert client.post(reverse("poverty:team_deactivate", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.active is True


def test_a_deactivated_team_is_refused_when_signing_a_contract(world, poverty_world, login):
    team, zhang = poverty_world.team, poverty_world.persons["zhang"]
    staff = login(world.users["township_staff"])
    response = staff.post(reverse("poverty:team_deactivate", args=[team.pk]))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.active is False
    html = staff.get(reverse("poverty:teams")).content.decode()
    # The contract already signed still counts; the team just takes no new ones.
    assert f'id="team-{team.pk}" data-active="false" data-contracts="1"' in html

    doctor = login(world.users["village_doctor"])
    response = doctor.post(
        reverse("poverty:contract_new", args=[zhang.pk]),
        {
            "team": team.pk,
            "signed_on": poverty_world.today.isoformat(),
            "category": "registered_poor",
            "package": "basic",
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="team"' in response.content.decode()
    assert not Contract.objects.filter(person=zhang).exists()
    with pytest.raises(services.InvalidPoverty) as refused:
        services.contract_sign(
            world.users["superuser"],
            person=zhang,
            team=team,
            signed_on=poverty_world.today,
            category="registered_poor",
            package="basic",
        )
    assert refused.value.field == "team"


# --- check-up campaigns -----------------------------------------------------------------------------------


def _campaign_data(world, today: dt.date, **changes) -> dict:
    return {
        "name": "城关镇贫困人口体检",
        "division": world.divisions["t1"].pk,
        "target": "all_poor",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        **changes,
    }


def test_the_commission_creates_a_campaign_and_it_shows_with_its_target_count(world, poverty_world, login):
    client = login(world.users["commission_leader"])
    response = client.post(
        reverse("poverty:checkup_campaign_new"), _campaign_data(world, poverty_world.today)
    )
    assert response.status_code == 302
    campaign = CheckupCampaign.objects.get(name="城关镇贫困人口体检")
    assert (campaign.division, campaign.target) == (world.divisions["t1"], "all_poor")
    html = client.get(reverse("poverty:checkups")).content.decode()
    # All poor of t1: 王大山 and 张三 (钱已脱 has exited; 李四 lives in t2).
    assert f'id="campaign-{campaign.pk}" data-target="2" data-examined="0"' in html


def test_a_campaign_ending_before_it_starts_is_refused_on_the_end_date(world, poverty_world, login):
    today = poverty_world.today
    response = login(world.users["commission_leader"]).post(
        reverse("poverty:checkup_campaign_new"),
        _campaign_data(world, today, ends_on=(today - dt.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert 'data-field-error="ends_on"' in response.content.decode()
    assert not CheckupCampaign.objects.filter(name="城关镇贫困人口体检").exists()


def test_township_staff_may_not_run_a_campaign_in_another_township_and_a_doctor_none(
    world, poverty_world, login
):
    data = _campaign_data(world, poverty_world.today, division=world.divisions["t2"].pk)
    response = login(world.users["township_staff"]).post(reverse("poverty:checkup_campaign_new"), data)
    assert 'data-field-error="division"' in response.content.decode()
    doctor = login(world.users["village_doctor"])
    assert 'id="campaign-form"' not in doctor.get(reverse("poverty:checkups")).content.decode()
    assert doctor.post(reverse("poverty:checkup_campaign_new"), data).status_code == 403
    assert not CheckupCampaign.objects.filter(name="城关镇贫困人口体检").exists()
