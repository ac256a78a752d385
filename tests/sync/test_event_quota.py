#!/usr/bin/env python3
"""A real central that answers 429 to a workstation over its event quota
(events_per_workstation_per_hour, docs/design.md §13): the real agent keeps
the events in its outbox, waits for Retry-After, then delivers every one of
them, once.

Inputs: STAFFGATED, STAFFGATECTL, STAFFGATE_CENTRAL_BIN, STAFFGATE_ADMIN_BIN
(tests/lib/README.md)
"""

import json
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import sgtest  # noqa: E402
from centraltest import ADMIN, CENTRAL  # noqa: E402
from livetest import LiveWorkstation  # noqa: E402

# 360 an hour: the bucket refills one event every 10 s, so Retry-After is
# at most 10 s once the bucket is just empty.
PER_HOUR = 360


@unittest.skipUnless(CENTRAL and ADMIN, "STAFFGATE_CENTRAL_BIN and STAFFGATE_ADMIN_BIN needed")
class EventQuotaTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sg-quota-")
        os.chmod(self.dir, 0o755)
        self.ws = LiveWorkstation(self.dir, {"E1": "asmith"},
                                  central_conf={"events_per_workstation_per_hour": PER_HOUR})
        self.ws.agent.start()

    def tearDown(self):
        self.ws.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def post(self, events, conn):
        body = json.dumps([{"id": "drain-%s-%d" % (time.monotonic_ns(), i),
                            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                            "type": "decision", "account": "x", "decision": "allow"}
                           for i in range(events)])
        return self.ws.central.request("POST", "/v1/events", body=body, token=self.ws.token,
                                       conn=conn)[0]

    def empty_the_bucket(self):
        """Spends this workstation's quota as the workstation itself, one
        event at a time at the end, so the bucket is just below one event."""
        conn = self.ws.central.connection()
        try:
            self.assertEqual(self.post(PER_HOUR - 40, conn), 202)
            for _ in range(200):
                status = self.post(1, conn)
                if status == 429:
                    return
                self.assertEqual(status, 202)
            self.fail("the central never answered 429")
        finally:
            conn.close()

    def test_events_refused_with_429_stay_in_the_outbox_and_arrive_later(self):
        self.ws.enroll()
        self.assertEqual(self.ws.check("asmith")["reason"], "allowed")
        self.ws.wait_for(lambda: self.ws.status().get("outbox_depth") == 0, what="an empty outbox")
        self.empty_the_bucket()

        # Distinct decisions (never coalesced), made while over quota.
        services = ["quota-%d" % i for i in range(25)]
        for service in services:
            self.assertEqual(self.ws.check("asmith", service)["reason"], "allowed")
        self.ws.wait_for(lambda: "over this workstation's event quota" in self.ws.agent.read_log(),
                         what="the agent to meet the 429")
        self.assertGreaterEqual(self.ws.status()["outbox_depth"], len(services))
        self.assertEqual(self.ws.events("quota-"), [])

        # After Retry-After (at most 10 s here) every one of them arrives, once.
        self.ws.wait_for(lambda: len(self.ws.events("quota-")) >= len(services), timeout=60,
                         what="the held events to arrive")
        time.sleep(2.5)  # A duplicate would show up now.
        events = self.ws.events("quota-")
        self.assertEqual(sorted(e["service"] for e in events), sorted(services))
        self.assertEqual(len({e["id"] for e in events}), len(events))
        self.assertEqual(self.ws.status()["outbox_depth"], 0)
        metrics = self.ws.central.request("GET", "/metrics")[2].decode()
        self.assertRegex(metrics, r"staffgate_central_event_batches_over_quota_total ([2-9]|\d\d)")


if __name__ == "__main__":
    sgtest.require_inputs("STAFFGATED", "STAFFGATECTL", "STAFFGATE_CENTRAL_BIN", "STAFFGATE_ADMIN_BIN")
    unittest.main(verbosity=2)
