"""Three psafed nodes on one PostgreSQL store (docs/DEPLOYMENT.md): nothing a caller relies
on lives in one node's memory. A session, an OAuth token or a spent PSRUN nonce made on one
node holds on the others; a sign-out, a disabled user or a deleted registration is refused by
every node on its next call; failed sign-ins count toward one lockout; approvals racing on
different nodes keep the request invariants; the audit chain they all write verifies; the
background work runs on one node and moves to another when that node dies.

Runs on the PostgreSQL pass (PSAFE_E2E_STORE=postgresql); deselected, never skipped, on SQLite.
"""
from __future__ import annotations

import time

import pytest

import store_backend
import support
from support import ROLE_APPROVER, bare_int, create_system, create_workgroup, grant_account, race

pytestmark = pytest.mark.postgresql_store

COOKIE = "ASP.NET_SessionId"
ROUNDS = 60


def with_cookie(node, cookie: str):
    """A fresh client holding only the session cookie, whatever the node told the last one."""
    s = node.session()
    s.headers["Cookie"] = f"{COOKIE}={cookie}"
    return s


def status_on(node, client, path: str = "ManagedSystems") -> int:
    return client.get(node.url(path), timeout=10).status_code




def audit_verifies(node) -> None:
    res = support.run_cli("audit", "verify", "--data-dir", str(node.data_dir))
    assert res.returncode == 0 and "OK" in res.stdout, (res.returncode, res.stdout, res.stderr)


def test_a_session_made_on_one_node_works_on_the_others_and_sign_out_ends_it_everywhere(server_factory):
    nodes = server_factory.start_nodes(3)
    cookie = nodes[0].signed_in().cookies[COOKIE]
    for node in nodes:
        assert status_on(node, with_cookie(node, cookie)) == 200, node.port
    assert with_cookie(nodes[1], cookie).post(nodes[1].url("Auth/Signout"), timeout=10).status_code == 200
    for node in nodes:
        assert status_on(node, with_cookie(node, cookie)) == 401, node.port


def test_a_disabled_user_is_refused_by_every_node_on_the_next_call(server_factory):
    n1, n2, n3 = server_factory.start_nodes(3)
    api = n1.admin()
    user, _, as_user = support.new_group_member(api, n1)
    r = as_user.post(n1.url("Auth/SignAppIn"), timeout=10)
    assert r.status_code == 200, r.text
    cookie = as_user.cookies[COOKIE]
    assert status_on(n3, with_cookie(n3, cookie), "UserGroups") in (200, 403)  # signed in, whatever it may see
    r = n2.admin().put(n2.url(f"Users/{user['UserID']}"), json={"IsActive": False}, timeout=10)
    assert r.status_code == 200, r.text
    for node in (n1, n2, n3):
        assert status_on(node, with_cookie(node, cookie), "UserGroups") == 401, node.port
        assert status_on(node, support.user_session(node, user["UserName"]), "UserGroups") == 401, node.port


def test_an_oauth_token_works_on_every_node_until_its_registration_is_deleted(server_factory):
    n1, n2, n3 = server_factory.start_nodes(3)
    api = n1.admin()
    r = api.post(n1.url("ApiRegistrations"), json={"Name": support.unique("reg")}, timeout=10)
    assert r.status_code == 201, r.text
    reg = r.json()
    token = n1.session().post(n1.url("Auth/connect/token"), timeout=10, data={
        "grant_type": "client_credentials", "client_id": reg["ClientId"], "client_secret": reg["ClientSecret"]})
    assert token.status_code == 200, token.text
    bearer = f"Bearer {token.json()['access_token']}"
    for node in (n1, n2, n3):
        assert node.session(bearer).post(node.url("Auth/SignAppIn"), timeout=10).status_code == 200, node.port
    assert n3.admin().delete(n3.url(f"ApiRegistrations/{reg['Id']}"), timeout=10).status_code in (200, 204)
    for node in (n1, n2, n3):
        assert node.session(bearer).post(node.url("Auth/SignAppIn"), timeout=10).status_code == 401, node.port


def test_a_psrun_nonce_spent_on_one_node_is_refused_on_the_others(server_factory):
    from test_psrun_factors import SIGNIN_PATH, signed_headers
    nodes = server_factory.start_nodes(3, config_text="[auth]\nlockout_threshold = 100\n")
    r = nodes[0].admin().put(nodes[0].url("ApiRegistrations/1"), json={"VerifyPsrunSignature": True}, timeout=10)
    assert r.status_code == 200, r.text
    creds = nodes[0].creds
    for first in range(3):
        headers = {"Authorization": creds.ps_auth, **signed_headers(creds.api_key, "POST", SIGNIN_PATH)}
        answers = [nodes[(first + i) % 3].session().post(nodes[(first + i) % 3].url("Auth/SignAppIn"),
                                                         headers=headers, timeout=10) for i in range(3)]
        assert [a.status_code for a in answers] == [200, 401, 401], [(a.status_code, a.text) for a in answers]
        assert all("replayed" in a.text for a in answers[1:]), [a.text for a in answers]
    # The same nonce sent to all three at once: one sign-in, never more.
    headers = {"Authorization": creds.ps_auth, **signed_headers(creds.api_key, "POST", SIGNIN_PATH)}
    answers = race(*[lambda n=n: n.session().post(n.url("Auth/SignAppIn"), headers=headers, timeout=20)
                     for n in nodes])
    assert sorted(a.status_code for a in answers) == [200, 401, 401], [(a.status_code, a.text) for a in answers]


def test_failed_sign_ins_on_different_nodes_count_toward_one_lockout(server_factory):
    nodes = server_factory.start_nodes(3, config_text="[auth]\nlockout_threshold = 3\n")
    c = nodes[0].creds
    wrong = f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[wrong-password];"
    right = f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[{c.password}];"

    def sign_in(node, auth):
        return node.session().post(node.url("Auth/SignAppIn"), headers={"Authorization": auth}, timeout=10)

    # Two failures (on two nodes), then a success on the third, resets the count everywhere.
    assert [sign_in(n, wrong).status_code for n in nodes[:2]] == [401, 401]
    assert sign_in(nodes[2], right).status_code == 200
    assert [sign_in(n, wrong).status_code for n in nodes[:2]] == [401, 401]
    assert sign_in(nodes[0], right).status_code == 200
    # Three failures, one on each node, lock the user out on all three.
    assert [sign_in(n, wrong).status_code for n in nodes] == [401, 401, 401]
    for node in nodes:
        assert sign_in(node, right).status_code == 401, node.port


def test_approvals_racing_on_different_nodes_keep_one_winner_and_one_audit_chain(server_factory):
    nodes = server_factory.start_nodes(3)
    api = nodes[0].admin()
    sid = create_system(api, nodes[0], create_workgroup(api, nodes[0])["ID"])["ManagedSystemID"]
    g = grant_account(api, nodes[0], sid, required_approvals=1)
    approvers = [g.add_user(api, (ROLE_APPROVER,))[1] for _ in range(4)]
    verbs = ("Approve", "Deny", "Approve", "Deny")
    outcomes = {"Approve": 0, "Deny": 0}
    for n in range(ROUNDS):
        rid = bare_int(g.request())
        # Each approver calls another node than the one before it; the rounds rotate them.
        calls = [lambda s=s, verb=verb, node=nodes[(n + i) % 3]:
                 s.put(node.url(f"Requests/{rid}/{verb}"), json={}, timeout=20)
                 for i, (s, verb) in enumerate(zip(approvers, verbs))]
        answers = race(*calls)
        winners = [verb for r, verb in zip(answers, verbs) if r.status_code < 300]
        assert len(winners) == 1, [(r.status_code, r.text) for r in answers]
        assert sorted(r.status_code for r in answers)[1:] == [409, 409, 409], [r.status_code for r in answers]
        outcomes[winners[0]] += 1
        reader = nodes[(n + 1) % 3]
        cred = g.s.get(reader.url(f"Credentials/{rid}"), timeout=10)
        if winners == ["Deny"]:
            assert cred.status_code == 403, ("a credential after a successful deny", cred.text)
        else:
            assert cred.status_code == 200, cred.text
            assert g.s.put(nodes[n % 3].url(f"Requests/{rid}/Checkin"), json={}, timeout=10).status_code == 204
    assert outcomes["Approve"] + outcomes["Deny"] == ROUNDS
    # One chain, written by all three: every decision is on it once, and it verifies.
    records, _ = support.audit_records(api, nodes[0])
    decided = [r for r in records if r["Action"] in ("request.approve", "request.deny")]
    assert len(decided) == ROUNDS, len(decided)
    for node in nodes:
        audit_verifies(node)


def lease_holders(node, clock_offset: int = 0) -> dict:
    """Lease name -> holder ("host:data-dir") of every lease in force on the nodes' clock."""
    return dict(store_backend.query(node.data_dir, "SELECT name, holder FROM leases WHERE expires_at > ?",
                                    (int(time.time()) + clock_offset,)))


def test_background_work_runs_on_one_node_and_moves_when_it_dies(server_factory, tmp_path):
    # Each lease lives max(60 s, 3 x the interval) = 60 s here; a Debug build's clock hook
    # (PSAFE_CLOCK_OFFSET_FILE) moves the survivors past it instead of waiting a minute.
    clock = tmp_path / "clock-offset"
    nodes = server_factory.start_nodes(3, config_text="[limits]\nsweep_interval_seconds = 1\n"
                                                      "[rotation]\npoll_seconds = 1\n",
                                       env={"PSAFE_CLOCK_OFFSET_FILE": str(clock)})
    held = support.wait_for(lambda: (h := lease_holders(nodes[0])) and len(h) == 2 and h,
                            timeout=20, what="the sweeper and rotation leases taken")
    by_dir = {str(n.data_dir): n for n in nodes}
    holders = {name: next(n for d, n in by_dir.items() if holder.endswith(":" + d)) for name, holder in held.items()}
    # One node at a time: for a few passes, whoever holds a lease keeps it.
    time.sleep(3)
    assert lease_holders(nodes[0]) == held
    victim = holders["sweeper"]
    victim.kill()
    survivors = [n for n in nodes if n is not victim]
    time.sleep(3)  # within the lease's lifetime nobody takes the dead node's work
    assert lease_holders(survivors[0]).get("sweeper") == held["sweeper"]
    clock.write_text("61")
    moved = support.wait_for(
        lambda: (h := lease_holders(survivors[0], 61)).get("sweeper") not in (None, held["sweeper"]) and h,
        timeout=10, what="the sweeper lease taken over after the dead node's expired")
    assert any(moved["sweeper"].endswith(":" + str(n.data_dir)) for n in survivors), moved
    if holders["rotation"] is victim:
        assert moved.get("rotation") not in (None, held["rotation"]), moved


def test_init_on_an_initialised_database_is_refused_before_it_writes_a_file(server_factory, tmp_path):
    first, creds = server_factory.new_data_dir()
    second = tmp_path / "second-install"
    store_backend.ACTIVE.share(second, first)
    res = support.run_cli("init", "--data-dir", str(second), "--json")
    assert res.returncode != 0 and "already initialised" in res.stderr, res.stderr
    assert res.stdout.strip() == ""
    assert not (second / "master.key").exists() and not (second / "psafed.toml").exists()
    assert not (second / "tls").exists()
    srv = server_factory.start(first, creds)  # the first installation is untouched
    assert srv.admin().get(srv.url("ManagedSystems"), timeout=10).status_code == 200
