"""The release history: every earlier release as an attacker holds it, and what the ETL
privately kept of each (its ledger), so a new release is audited against all of them."""
