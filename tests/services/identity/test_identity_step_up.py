"""Step-up proofs: a fresh TOTP code gives a short JWT for one service, verifiable by its JWKS."""

from __future__ import annotations

import httpx
import jwt
from identity_support import enrol, new_staff
from jwt import PyJWKSet
from uponyaji_identity.context import Identity


async def test_a_fresh_code_gives_a_step_up_proof_for_medical_once(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    body = {"totp_code": staff.next_code(), "audience": "medical"}
    response = await client.post("/auth/step-up", json=body, headers=staff.access)
    assert response.status_code == 200, response.text
    proof = response.json()["step_up"]
    keys = PyJWKSet.from_dict((await client.get("/.well-known/jwks.json")).json())
    kid = jwt.get_unverified_header(proof)["kid"]
    claims = jwt.decode(proof, keys[kid], algorithms=["EdDSA"], audience="step-up:medical")
    assert claims["sub"] == str(staff.staff_id)
    assert claims["amr"] == ["otp"]
    assert claims["exp"] - claims["auth_time"] <= 120
    # the same code cannot be replayed, and an access token is no proof
    again = await client.post("/auth/step-up", json=body, headers=staff.access)
    assert again.status_code == 401
    access = staff.tokens["access_token"]
    assert "step-up:medical" not in jwt.decode(access, options={"verify_signature": False})["aud"]


async def test_a_step_up_needs_a_signed_in_caller_and_a_known_service(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    staff = await enrol(client, await new_staff(ctx, "clinician"))
    body = {"totp_code": staff.next_code(), "audience": "medical"}
    assert (await client.post("/auth/step-up", json=body)).status_code == 401
    other = {**body, "audience": "reporting"}
    refused = await client.post("/auth/step-up", json=other, headers=staff.access)
    assert refused.status_code == 422
    assert "audience" in refused.json()["detail"]
