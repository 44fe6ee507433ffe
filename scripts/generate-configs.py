#!/usr/bin/env python3
"""Writes COUNT realistic configuration files under DEST: scripts/generate-configs.py DEST COUNT.

The benchmark's tree when ../shared/corpus is absent (scripts/bench.sh) and the training run of
the profile-guided build (scripts/pgo-build.sh), which must not learn from the corpus the
benchmark copies. Same seed, same files.
"""
# Realistic stand-ins: a site web.config (system.web + system.webServer), an MVC Views/Web.config,
# and every 50th site an applicationHost.config; values vary so the rules fire on some.
import os, random, sys
dest, count = sys.argv[1], int(sys.argv[2])
rnd = random.Random(5)
def site(i):
    eol = "\r\n" if i % 3 == 0 else "\n"
    forms = rnd.choice([5, 10, 20, 30, 60, 120])
    mode = rnd.choice(["InProc", "StateServer", "SQLServer", "Off"])
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<configuration>",
             '  <appSettings>'] + [f'    <add key="Setting{k}" value="v{k}&amp;{i}" />' for k in range(rnd.randint(3, 30))] + [
             "  </appSettings>", "  <system.web>",
             f'    <compilation debug="{rnd.choice(["true", "false"])}" targetFramework="4.8" />',
             '    <authentication mode="Forms">',
             f'      <forms loginUrl="~/Account/Login" timeout="{forms}" slidingExpiration="{rnd.choice(["true", "false"])}" />',
             "    </authentication>",
             f'    <sessionState mode="{mode}" timeout="{rnd.choice([10, 20, 60])}" />',
             "  </system.web>", "  <system.webServer>", "    <handlers>"] + [
             f'      <add name="H{k}" path="*.x{k}" verb="*" type="Handler{k}" />' for k in range(rnd.randint(2, 20))] + [
             "    </handlers>", "  </system.webServer>", "</configuration>", ""]
    return eol.join(lines)
views = '<?xml version="1.0"?>\n<configuration>\n  <system.web.webPages.razor>\n    <pages pageBaseType="System.Web.Mvc.WebViewPage" />\n  </system.web.webPages.razor>\n</configuration>\n'
def apphost(i):
    pools = "".join(f'      <add name="Pool{k}" managedRuntimeVersion="v4.0"><processModel idleTimeout="00:{rnd.choice([5, 20, 30]):02d}:00" /></add>\n' for k in range(40))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <system.applicationHost>\n    <applicationPools>\n{pools}    </applicationPools>\n  </system.applicationHost>\n</configuration>\n'
n = i = 0
while n < count:
    d = os.path.join(dest, f"group{i // 100:03d}", f"site{i:05d}")
    os.makedirs(os.path.join(d, "Views"), exist_ok=True)
    open(os.path.join(d, "Web.config"), "w", newline="").write(site(i)); n += 1
    open(os.path.join(d, "Views", "Web.config"), "w").write(views); n += 1
    if i % 50 == 0:
        open(os.path.join(d, "applicationHost.config"), "w").write(apphost(i)); n += 1
    i += 1
