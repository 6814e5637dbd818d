"""Validates ASFF findings (a JSON array) against botocore's model of BatchImportFindings,
in batches of 100 as Security Hub accepts them. Exit 0 when valid."""
import json
import sys

import botocore.session
from botocore.validate import ParamValidator

findings = json.load(open(sys.argv[1]))
shape = botocore.session.get_session().get_service_model("securityhub").operation_model("BatchImportFindings").input_shape
for start in range(0, len(findings), 100):
    batch = findings[start:start + 100]
    report = ParamValidator().validate({"Findings": batch}, shape)
    if report.has_errors():
        print(report.generate_report())
        sys.exit(1)
    size = len(json.dumps({"Findings": batch}).encode())
    if size > 6 * 1024 * 1024:
        print(f"batch at {start} is {size} bytes, over the 6 MB limit")
        sys.exit(1)
print(f"{len(findings)} findings valid")
