"""performance's writes: scoring weeks, computing statements, their workflow and their payment.

metrics.py: each metric's source query; scoring.py: scorecards; settlement.py: statement lines;
statements.py: issue, dispute, resolve, approve; payouts.py: one transfer per statement;
ranking.py: the dealing order from the last tiers; weekly.py: the weekly job."""
