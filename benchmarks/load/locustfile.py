"""The load scenario (run by benchmarks/load/run.py): 80% browsing, 15% voting, 5% results, and a few sign-ins.

Each simulated visitor is a keep-alive HTTP client. The data it needs (the process, its projects, the session
cookies and CSRF tokens of verified residents who have not voted yet, residents who may sign in with a
password) comes from the JSON file named by PB_LOAD_PLAN, written by run.py. Each resident votes exactly once
in a run; a visitor that finds no resident left browses instead. Every visitor comes from its own address
(``X-Forwarded-For``, the app runs with PB_PROXY_HOPS=1 as behind a load balancer), so per-address limits
count visitors, not the load generator.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import threading
import urllib.parse

import gevent
from locust import FastHttpUser, constant, tag, task

PLAN = json.loads(open(os.environ["PB_LOAD_PLAN"]).read())
HOSTS = PLAN["hosts"]
_voters = iter(PLAN["voters"])
_logins = itertools.cycle(PLAN["logins"])
_lock = threading.Lock()
_host_numbers = itertools.count()


def _next(iterator):
    with _lock:
        return next(iterator, None)


class Visitor(FastHttpUser):
    """A visitor of the public pages who may be a verified resident about to vote."""

    # As fast as answers come (saturation), or a set load: pauses drawn from an exponential distribution, so
    # that the visitors' requests arrive as independent people's do (a Poisson stream at the offered rate).
    # Fixed pacing (locust's constant_throughput) keeps the visitors in step: they arrive together, wait out
    # the same interval, and arrive together again, a burst the size of the crowd every interval.
    wait_time = (lambda self: random.expovariate(PLAN["rate_per_user"])) if PLAN.get("rate_per_user") else constant(0)
    host = HOSTS[0]

    def on_start(self):
        # With several app servers each visitor sticks to one, as behind a load balancer with keep-alive.
        self.host = HOSTS[next(_host_numbers) % len(HOSTS)]
        self.client.base_url = self.host
        self.address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        self.headers = {"X-Forwarded-For": self.address}
        if PLAN.get("rate_per_user"):
            # Started together, the visitors' first requests would all arrive at once.
            gevent.sleep(random.expovariate(PLAN["rate_per_user"]))

    # 80%: browsing --------------------------------------------------------------------------------------
    @task(40)
    @tag("browse", "project-page")
    def project_page(self):
        project = random.choice(PLAN["projects"])
        self.client.get(f"/projects/{project}", headers=self.headers, name="project page")

    @task(25)
    @tag("browse")
    def project_list(self):
        page = random.choice(["", "?sort=cost", "?page=2", "?q=park"])
        self.client.get(f"{PLAN['process_path']}/projects{page}", headers=self.headers, name="project list")

    @task(13)
    @tag("browse")
    def process_page(self):
        self.client.get(PLAN["process_path"], headers=self.headers, name="process page")

    @task(2)
    @tag("sign-in")
    def sign_in(self):
        account = _next(_logins)
        # Each resident signs in from an address of their own, not the visitor's: the per-address limit is
        # for one machine guessing passwords, which this scenario is not.
        headers = {"X-Forwarded-For": account["address"], "Cookie": account["cookie"],
                   "Content-Type": "application/x-www-form-urlencoded"}
        body = urllib.parse.urlencode({"csrf_token": account["csrf"], "email": account["email"],
                                       "password": PLAN["password"]})
        with self.client.post("/login", data=body, headers=headers, name="password sign-in",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    # 15%: voting ----------------------------------------------------------------------------------------
    @task(15)
    @tag("vote")
    def vote(self):
        voter = _next(_voters)
        if voter is None:
            return self.project_page()
        chosen = random.sample(PLAN["projects"], random.randint(1, 4))
        form = [("csrf_token", voter["csrf"]), ("form_token", secrets.token_urlsafe(24)), ("action", "cast")]
        form += [("project", str(p)) for p in chosen]
        headers = {**self.headers, "Cookie": voter["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(PLAN["ballot_path"], data=urllib.parse.urlencode(form), headers=headers,
                              name="ballot", allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302 and "/receipt" in (response.headers.get("Location") or ""):
                response.success()
            else:
                response.failure(f"ballot answered {response.status_code} {response.headers.get('Location')}")

    # 5%: results ----------------------------------------------------------------------------------------
    @task(3)
    @tag("results")
    def results_page(self):
        self.client.get(f"{PLAN['process_path']}/results", headers=self.headers, name="results page")

    @task(2)
    @tag("results")
    def results_json(self):
        self.client.get(f"/api/v1/processes/{PLAN['process_id']}/projects", headers=self.headers,
                        name="results JSON (open-data API)")
