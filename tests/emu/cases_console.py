# SPDX-License-Identifier: MIT
"""The serial console as shared ground: a guest's output, or its crash
reports, must not cost the other guests their CPU time (Shale queues
console output and never waits on the UART for a guest), and what a guest
prints reaches the operator's terminal only as text."""

from cases import HV, guest

# The canary comes first in each config, so that its measuring window
# starts before the others act.
CASES = [
    # A guest floods its console (3000 long lines at once): the canary
    # beside it keeps at least half the CPU while the line drains.
    dict(name="console-flood-fair", guests=["canary"], images=["flood"],
         config=HV + guest("canary") + guest("flood"),
         expect=[r"\[guest canary\] canary share \d+%",
                 r'\[guest flood\] \.\.\. \d+ bytes of output dropped']),
    # A guest crashes at once in every life, five times over, each time
    # with a full report: the canary keeps at least half the CPU.
    dict(name="crash-report-fair", guests=["canary"], images=["triple"],
         config=HV + guest("canary") + guest("triple", "on_crash = restart"),
         expect=[r"\[guest canary\] canary share \d+%",
                 r'guest "triple": restarted 5 times already; destroying it instead']),
    # What a guest prints reaches the terminal as text only: C1 controls,
    # raw or in UTF-8, and malformed UTF-8 become '?'; UTF-8 text passes.
    dict(name="console-c1", guests=["c1ctl"], config=HV + guest("c1ctl"),
         expect=[r"\[guest c1ctl\] c1 raw\[\?\] enc\[\?\] utf8\[\u00e9\u2014\] bad\[\?\(\]\n"]),
]
