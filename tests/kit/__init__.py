"""The shared test kit, written once instead of copied into each service's tests.

- `tokens`: signing keys and access tokens shaped like identity's, synthetic staff, a client
  acting as one of them (`As`), the event count a refused request must leave unchanged;
- `intake`: intake's side of the event contract, for the services that consume it;
- `fuzz`: the one API fuzz harness (schemathesis over a service's own OpenAPI document);
- `browser`: Debian's headless Chromium, axe-core and the portal's page helpers;
- `services`: real services started in-process on fresh databases, followers reading their
  sources' stores (the rebuild and caseload suites).
"""
