"""Access by membership on the web: refusals audited with their reason, memberships that end,
a borough user of two boroughs, the secretariat adding a membership, the primary membership
kept in step with the user, and the data migration that made one per existing user."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from dsvb.web.accounts import memberships, policies
from dsvb.web.accounts.models import Membership, User
from dsvb.web.accounts.roles import Role
from dsvb.web.audit.models import Action, AuditEvent
from tests.web.conftest import LAMBETH, SOUTHWARK

CAMDEN = "E09000007"


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.ACCESS_DENIED).order_by("seq"))


def test_a_borough_user_changing_the_area_in_the_url_is_refused_with_the_reason(
    client_for,
) -> None:
    client = client_for(Role.BOROUGH_USER)  # of Lambeth
    for path in (
        f"/performance/scorecard/{SOUTHWARK}/",
        f"/performance/scorecard/{SOUTHWARK}/export/scorecard.csv",
    ):
        assert client.get(path).status_code == 403
    first, second = refusals()
    reason = "a borough user of Lambeth may see Lambeth only, not Southwark"
    for event, path in zip(
        (first, second),
        (f"/performance/scorecard/{SOUTHWARK}/", f"/performance/scorecard/{SOUTHWARK}/"),
        strict=True,
    ):
        assert event.details["reason"] == reason
        assert event.summary.endswith(f": {reason}") and event.object_id.startswith(path)
        assert event.actor_id == client.user.pk and event.details["view_arguments"]["area_code"]


def test_a_refusal_for_the_role_says_what_the_role_may_not_do(client_for) -> None:
    client = client_for(Role.PARTNER)
    assert client.get("/audit/").status_code == 403
    (refused,) = refusals()
    assert refused.details["reason"] == (
        "a partner agency user of Lambeth IDVA service may not search the audit log"
    )


def test_a_membership_that_has_ended_is_refused_and_the_reason_says_when(client_for) -> None:
    client = client_for(Role.BOROUGH_USER)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Membership.objects.filter(user=client.user).update(valid_to=yesterday)
    assert client.get(f"/performance/scorecard/{LAMBETH}/").status_code == 403
    (refused,) = refusals()
    assert refused.details["reason"] == (
        f"{client.user.username}'s membership as borough user of Lambeth ended on {yesterday}"
    )
    # its own role stays on the account (the membership ended, not the account)
    client.user.refresh_from_db()
    assert client.user.role == Role.BOROUGH_USER and client.user.area_code == LAMBETH


def test_a_borough_user_of_two_boroughs_sees_both_and_no_third(make_user) -> None:
    user = make_user(Role.BOROUGH_USER)
    Membership.objects.create(user=user, role=Role.BOROUGH_USER, area_code=SOUTHWARK)
    fresh = User.objects.get(pk=user.pk)
    assert policies.can_view_area(fresh, LAMBETH) and policies.can_view_area(fresh, SOUTHWARK)
    assert not policies.can_view_area(fresh, CAMDEN)
    assert policies.last_refusal(fresh).reason == (
        "a borough user of Lambeth and a borough user of Southwark may see Lambeth and "
        "Southwark only, not Camden"
    )
    assert not policies.can_view_all_areas(fresh)


def test_a_second_factor_role_held_as_another_membership_requires_the_second_factor(
    make_user,
) -> None:
    user = make_user(Role.BOROUGH_USER)
    assert not policies.must_use_second_factor(User.objects.get(pk=user.pk))
    Membership.objects.create(user=user, role=Role.FORCE_ANALYST)
    assert policies.must_use_second_factor(User.objects.get(pk=user.pk))
    assert policies.landing_page(User.objects.get(pk=user.pk)) == "performance:overview"


def test_the_secretariat_adds_a_membership_and_it_is_audited(client_for, make_user) -> None:
    secretariat = client_for(Role.SECRETARIAT)
    person = make_user(Role.BOROUGH_USER, username="bea")
    added = secretariat.post(
        f"/accounts/users/{person.pk}/",
        {
            "add_membership": "1",
            "role": Role.BOROUGH_USER,
            "area_code": SOUTHWARK,
            "valid_to": "2099-12-31",
        },
    )
    assert added.status_code == 302 and added["Location"] == f"/accounts/users/{person.pk}/"
    extra = Membership.objects.get(user=person, primary=False)
    assert (extra.area_code, extra.valid_to) == (SOUTHWARK, dt.date(2099, 12, 31))
    (event,) = AuditEvent.objects.filter(action=Action.MEMBERSHIP_ADDED)
    assert event.summary == "Added a membership to bea: borough user of Southwark"
    assert event.details["valid_to"] == "2099-12-31" and event.object_id == str(person.pk)
    assert policies.can_view_area(User.objects.get(pk=person.pk), SOUTHWARK)
    page = secretariat.get(f"/accounts/users/{person.pk}/").content.decode()
    assert "Southwark" in page and "31 December 2099" in page and "(own role)" in page

    # one that makes no sense is refused, saying why, and nothing is added
    refused = secretariat.post(
        f"/accounts/users/{person.pk}/",
        {"add_membership": "1", "role": Role.BOROUGH_USER},
        follow=True,
    )
    assert "A borough user membership must name an area." in refused.content.decode()
    assert Membership.objects.filter(user=person).count() == 2
    # and a borough user cannot add one to themselves
    own = client_for(Role.BOROUGH_USER, username="bo")
    sneaky = {"add_membership": "1", "role": Role.SECRETARIAT}
    assert own.post(f"/accounts/users/{own.user.pk}/", sneaky).status_code == 403
    assert not Membership.objects.filter(user=own.user, role=Role.SECRETARIAT).exists()


def test_the_account_page_lists_ones_memberships(client_for) -> None:
    client = client_for(Role.BOROUGH_USER)
    Membership.objects.create(
        user=client.user,
        role=Role.BOROUGH_USER,
        area_code=SOUTHWARK,
        valid_from=timezone.localdate() + dt.timedelta(days=3),
    )
    page = client.get("/accounts/").content.decode()
    assert "Memberships" in page and "Southwark" in page and "Not yet" in page
    assert "Current" in page


def test_saving_a_user_keeps_the_primary_membership_in_step(make_user) -> None:
    user = make_user(Role.BOROUGH_USER)
    Membership.objects.filter(user=user).update(valid_from=dt.date(2020, 1, 1))
    user.area_code = SOUTHWARK
    user.save()
    (primary,) = Membership.objects.filter(user=user)
    assert (primary.primary, primary.role, primary.area_code) == (True, "borough_user", SOUTHWARK)
    assert primary.valid_from == dt.date(2020, 1, 1)  # its dates are left alone
    user.role, user.area_code, user.agency = Role.PARTNER, "", "Refuge"
    user.save()
    (primary,) = Membership.objects.filter(user=user)
    assert (primary.role, primary.area_code, primary.agency) == ("partner_agency", "", "Refuge")
    assert not policies.can_view_performance(User.objects.get(pk=user.pk))


def test_a_disabled_account_is_refused_whatever_it_holds(make_user) -> None:
    user = make_user(Role.SECRETARIAT)
    user.is_active = False
    user.save()
    decision = memberships.decide(User.objects.get(pk=user.pk), "release.publish")
    assert decision.reason == f"the account {user.username} is disabled"


def test_the_data_migration_gives_each_existing_user_one_membership(transactional_db) -> None:
    executor = MigrationExecutor(connection)
    before = [("accounts", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldUser = old.get_model("accounts", "User")
    OldUser.objects.create(username="bo", role="borough_user", area_code=LAMBETH)
    OldUser.objects.create(username="pa", role="partner_agency", agency="Refuge")
    OldUser.objects.create(username="root", role="")  # a superuser made without a role
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = sorted(
        Membership.objects.values_list("user__username", "role", "area_code", "agency", "primary")
    )
    assert rows == [
        ("bo", "borough_user", LAMBETH, "", True),
        ("pa", "partner_agency", "", "Refuge", True),
    ]
    assert policies.can_view_area(User.objects.get(username="bo"), LAMBETH)
    assert not policies.can_view_area(User.objects.get(username="bo"), SOUTHWARK)


def test_the_public_is_sent_to_sign_in_not_given_a_reason(db) -> None:
    response = Client().get(f"/performance/scorecard/{SOUTHWARK}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert refusals() == []
