"""The frame of the scripts that drive a headless LibreOffice through UNO in the tests.

They run under the system python3 (python3-uno), not this project's venv: a script starts
soffice with a private profile, connects over a pipe, runs its body with `args` (the JSON of
argv[1]), `prop`, `ctx` and `desktop` at hand, and always ends soffice.
"""

from __future__ import annotations

import textwrap

_HEAD = r'''
import json, os, subprocess, sys, tempfile, time
import uno
from com.sun.star.beans import PropertyValue

args = json.loads(sys.argv[1])
if "macro_dir" in args:
    sys.path.insert(0, args["macro_dir"])
if "sopxl_root" in args:
    # the sopxl command the macro runs (directly or inside soffice) uses this tree's engine
    os.environ["PYTHONPATH"] = args["sopxl_root"]

def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p

profile = args.get("profile") or tempfile.mkdtemp(prefix="sopxl-lo-profile-")
pipe = "sopxltest%d" % os.getpid()
env = {**os.environ, "HOME": profile}
if args.get("log"):
    env["SOPXL_LO_LOG"] = args["log"]
proc = subprocess.Popen([args["soffice"], "-env:UserInstallation=file://" + profile, "--headless",
                         "--norestore", "--nologo", "--nolockcheck",
                         "--accept=pipe,name=%s;urp;" % pipe],
                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
'''

_TAIL = r'''
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        proc.wait(timeout=30)
    except Exception:
        proc.kill()
'''


def driver(body: str) -> str:
    """The whole script: soffice started and connected, `body`, soffice ended."""
    return _HEAD + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n" + _TAIL
