"""The official Composio Python SDK's Connect Link flow, unchanged, against a toolsmith
server: `session.authorize("demo")` then `wait_for_connection()`.

Run by `server/tests/connect_browser.rs`, which passes TOOLSMITH_URL and TOOLSMITH_API_KEY,
reads the first line (the connection request), clicks through the link in a browser, and
reads the last line (the connected account). Exits non-zero when the SDK raises.
"""

import json
import os
import sys

from composio import Composio

composio = Composio(api_key=os.environ["TOOLSMITH_API_KEY"], base_url=os.environ["TOOLSMITH_URL"], allow_tracking=False)
session = composio.create(user_id="ada", toolkits=["demo"])
request = session.authorize("demo")
print(json.dumps({"id": request.id, "status": request.status, "redirect_url": request.redirect_url}), flush=True)
account = request.wait_for_connection(timeout=60)
print(json.dumps({"id": account.id, "status": account.status}), flush=True)
sys.exit(0)
