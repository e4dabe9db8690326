"""Summarises an embedded silo's data directory after scripts/load/run.sh: history rows and tenant run ledgers."""
import glob, os, sqlite3, sys
from collections import Counter

STATUS = ["Succeeded", "Failed", "TimedOut", "Skipped", "Missed", "Rejected", "Interrupted", "Cancelled"]
data, warm = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
rows = sqlite3.connect(os.path.join(data, "history.db")).execute(
    "SELECT tenant, run_id, status, scheduled_at, started_at, attempt FROM run_history").fetchall()
if not rows:
    sys.exit("no history rows")
ticks = 10_000_000  # history instants are .NET ticks (100 ns)
first = min(r[3] for r in rows if r[3]) + warm * ticks
last = max(r[3] for r in rows if r[3]) - 2 * ticks  # the last seconds may still be armed or cancelled by the stop
window = [r for r in rows if r[3] and first <= r[3] <= last]
counts = Counter(STATUS[r[2]] for r in window)
late = sorted((r[4] - r[3]) / 10_000 for r in window if r[4] is not None)
pct = lambda q: late[min(len(late) - 1, int(q * len(late)))]
print(f"occurrences in the window: {len(window)}; " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
print(f"succeeded: {100.0 * counts['Succeeded'] / len(window):.2f} %; second attempts: {sum(1 for r in window if r[5] > 1)}")
if late:
    print(f"start lateness ms: p50 {pct(0.5):.1f} / p99 {pct(0.99):.1f} / max {late[-1]:.1f}")
ledger = sum(sqlite3.connect(f).execute("SELECT count(*) FROM nodedb_run_ledger").fetchone()[0]
             for f in glob.glob(os.path.join(data, "tenants", "*.db")))
succeeded = sum(1 for r in rows if r[2] == 0)
print(f"ledger rows {ledger}, Succeeded history rows {succeeded} (equal: each run took effect once)")
