"""Canonical tables -> Ashby: one loader per object type, in dependency order, each idempotent through the ledger."""
