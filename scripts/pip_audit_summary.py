"""Judge a pip-audit JSON report: fail (exit 1) on any known vulnerability; report, and do
not fail on, dependencies that could not be audited. Usage: pip_audit_summary.py REPORT STATUS"""
import json
import sys

path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as file:
        dependencies = json.load(file)["dependencies"]
except (OSError, ValueError, KeyError):
    # pip-audit could not run its audit at all (no route to the advisory service)
    print(f"pip-audit: could not audit (exit {status}, no report); nothing was checked")
    sys.exit(0)
vulnerable = [d for d in dependencies if d.get("vulns")]
skipped = [d for d in dependencies if "skip_reason" in d]
audited = len(dependencies) - len(skipped)
for dependency in vulnerable:
    for vuln in dependency["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"VULNERABLE {dependency['name']} {dependency.get('version', '')}: "
              f"{vuln['id']} (fixed in {fixed})")
print(f"pip-audit: {len(dependencies)} pinned packages, {audited} audited, "
      f"{len(vulnerable)} vulnerable, {len(skipped)} could not be audited")
if skipped:
    reasons = {d["skip_reason"].split(":")[0] for d in skipped}
    print("  could not be audited: " + "; ".join(sorted(reasons)))
sys.exit(1 if vulnerable else 0)
