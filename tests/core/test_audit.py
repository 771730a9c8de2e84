"""Every create, update and delete of an audited record is in the trail with who, when, old → new."""

from weijian.core.audit import acting_as
from weijian.core.models import AuditEntry
from weijian.registry.models import ServiceLine


def _trail(record):
    return list(
        AuditEntry.objects.filter(model=record._meta.label_lower, object_id=str(record.pk)).order_by("id")
    )


def test_an_update_records_the_actor_and_only_the_changed_fields(world):
    leader = world.users["commission_leader"]
    institution = type(world.institutions["th1"]).objects.get(pk=world.institutions["th1"].pk)
    with acting_as(leader):
        institution.beds = 75
        institution.save()
    entry = _trail(institution)[-1]
    assert (entry.action, entry.actor, entry.actor_label) == ("update", leader, "commission_leader")
    assert entry.changes == {"beds": [60, 75]}


def test_saving_without_changes_records_nothing(world):
    institution = type(world.institutions["th1"]).objects.get(pk=world.institutions["th1"].pk)
    before = len(_trail(institution))
    institution.save()
    assert len(_trail(institution)) == before


def test_create_and_delete_are_recorded_with_all_values(world):
    enterprise = world.enterprises["supplier_a"]
    created = _trail(enterprise)[0]
    assert created.action == "create"
    assert created.changes["credit_code"] == [None, enterprise.credit_code]
    pk = enterprise.pk
    with acting_as(label="cleanup job"):
        enterprise.delete()
    deleted = AuditEntry.objects.filter(model="registry.enterprise", object_id=str(pk)).latest("id")
    assert (deleted.action, deleted.actor_label) == ("delete", "cleanup job")
    assert deleted.changes["name"] == [enterprise.name, None]


def test_many_to_many_changes_are_recorded(world):
    institution = world.institutions["beauty_t1"]
    institution.service_lines.set([ServiceLine.objects.get(code="14")])
    entry = _trail(institution)[-1]
    assert entry.changes == {"service_lines": [[], ["14"]]}


def test_writes_during_a_web_request_are_attributed_to_the_logged_in_user(world, client):
    from django.urls import reverse

    leader = world.users["commission_leader"]
    client.force_login(leader)
    practitioner = world.practitioners["th1"]
    form = client.get(reverse("registry:practitioner_edit", args=[practitioner.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(name="王医生", additional_sites=[])
    assert client.post(reverse("registry:practitioner_edit", args=[practitioner.pk]), data).status_code == 302
    entry = _trail(practitioner)[-1]
    assert entry.actor == leader
    assert entry.changes["name"] == [practitioner.name, "王医生"]


def test_a_queryset_delete_such_as_the_admins_bulk_delete_is_audited(world):
    from weijian.registry.models import Enterprise

    pks = sorted(e.pk for e in world.enterprises.values())
    Enterprise.objects.filter(pk__in=pks).delete()
    deleted = AuditEntry.objects.filter(model="registry.enterprise", action="delete")
    assert sorted(int(e.object_id) for e in deleted) == pks


def test_a_bulk_insert_is_audited_once_per_record_with_actor_and_values(world):
    from weijian.core.audit import record_bulk_create
    from weijian.core.models import Division, DivisionLevel

    villages = Division.objects.bulk_create(
        [
            Division(
                code=f"36990100100{n}", name=f"新村{n}", level=DivisionLevel.VILLAGE, parent_id="369901001000"
            )
            for n in (2, 3)
        ]
    )
    with acting_as(world.users["commission_leader"], label="import"):
        record_bulk_create(villages)
    entries = AuditEntry.objects.filter(model="core.division", object_id__in=[v.code for v in villages])
    assert sorted(e.object_id for e in entries) == ["369901001002", "369901001003"]
    for entry in entries:
        assert (entry.action, entry.actor, entry.actor_label) == (
            "create",
            world.users["commission_leader"],
            "import",
        )
        assert entry.changes["name"][0] is None and entry.changes["name"][1].startswith("新村")
        assert entry.at is not None
