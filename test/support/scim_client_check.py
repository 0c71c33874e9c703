"""Drives the gateway's SCIM endpoint with scim2-client (python-scim), a SCIM 2.0 client nobody
here wrote: discovery, then the calls a provisioning job makes. Prints one JSON line of what it saw.

Usage: python scim_client_check.py <scim base URL> <SCIM token>
"""
import json
import sys
import time

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import PatchOp, PatchOperation, SearchRequest

base, token = sys.argv[1], sys.argv[2]
seen = {}
name = f"pyclient.{int(time.time() * 1000)}"
with Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
    scim = SyncSCIMClient(http)
    scim.discover()  # ServiceProviderConfig, ResourceTypes, Schemas: validated by scim2-models
    UserModel = scim.get_resource_model("User")
    GroupModel = scim.get_resource_model("Group")
    seen["models"] = sorted(m.__name__.split("[")[0] for m in (UserModel, GroupModel))

    created = scim.create(UserModel(user_name=name, display_name="Py Client", emails=[{"value": "py@example.com", "primary": True}], active=True))
    seen["created"] = {"id": created.id, "user_name": created.user_name, "version": created.meta.version}

    found = scim.query(UserModel, query_parameters=SearchRequest(filter=f'userName eq "{name.upper()}"'))
    seen["found"] = [u.user_name for u in found.resources or []]

    fetched = scim.query(UserModel, created.id)
    seen["fetched_display_name"] = fetched.display_name

    group = scim.create(GroupModel(display_name=f"py-team-{name}", members=[{"value": created.id}]))
    seen["group_members"] = [m.value for m in group.members or []]

    patch = PatchOp[UserModel](operations=[PatchOperation(op=PatchOperation.Op.replace_, path="active", value=False)])
    patched = scim.modify(UserModel, created.id, patch)
    seen["patched_active"] = None if patched is None else patched.active

    # The PATCH moved the version on: a replace with the old ETag is refused (If-Match), so read again.
    stale = fetched
    try:
        stale.display_name = "Stale"
        scim.replace(stale)
        seen["stale_replace"] = "accepted"
    except Exception as err:  # scim2-client raises the server's SCIM error (scimType invalidVers)
        seen["stale_replace"] = type(err).__name__
    fetched = scim.query(UserModel, created.id)
    fetched.display_name = "Py Client Renamed"
    fetched.active = True
    replaced = scim.replace(fetched)
    seen["replaced"] = {"display_name": replaced.display_name, "active": replaced.active, "version": replaced.meta.version}

    scim.delete(GroupModel, group.id)
    scim.delete(UserModel, created.id)
    gone = scim.query(UserModel, query_parameters=SearchRequest(filter=f'userName eq "{name}"'))
    seen["after_delete"] = gone.total_results

print(json.dumps(seen))
