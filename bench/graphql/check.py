#!/usr/bin/env python3
"""bench/graphql/check.py: helpers of bench/graphql.sh (standard library only).

  check.py body QUERY                      print {"query": QUERY} as JSON
  check.py page N OURS.json THEIRS.json    compare two question pages
  check.py stats OURS.json THEIRS.json     compare two per-day statistics

page normalises both answers to (question uuid, description, createdAt in
epoch milliseconds, student first name, last name, email, group name,
discipline name) and compares them in order; stats compares the per-day
counts (and the mean response minutes, to a relative 1e-9). Both print one
line saying what was compared and exit 0 when equal; else print the first
difference to stderr and exit 1. A page whose order differs only among
questions created at the same instant is reported as such (exit 1 too).
"""
import base64
import json
import sys
from datetime import datetime, timezone


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("errors"):
        die(f"{path}: the server answered with errors: {json.dumps(doc['errors'])[:600]}")
    if not isinstance(doc.get("data"), dict):
        die(f"{path}: no data in the answer: {json.dumps(doc)[:600]}")
    return doc["data"]


def die(msg):
    print("check: " + msg, file=sys.stderr)
    sys.exit(1)


def epoch_ms(ts):
    """2025-06-15T15:13:26.005Z or 2025-06-15T15:13:26.005000+00:00 -> ms."""
    d = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if d.tzinfo is None:
        die(f"time without a zone: {ts}")
    return round(d.timestamp() * 1000)


def uuid_of_global_id(gid):
    raw = base64.b64decode(gid + "=" * (-len(gid) % 4)).decode()
    typ, _, uid = raw.partition(":")
    if typ != "Question":
        die(f"id {gid} decodes to {raw!r}, not Question:<uuid>")
    return uid


def person(p):
    if p is None:
        return (None, None, None)
    return (p["firstName"], p["lastName"], p["email"])


def ours_page(data):
    rows = []
    for e in data["questions"]["edges"]:
        n = e["node"]
        rows.append((uuid_of_global_id(n["id"]), n["description"], epoch_ms(n["createdAt"]),
                     *person(n["student"]), n["group"]["name"], n["discipline"]["name"]))
    return rows


def theirs_page(data):
    rows = []
    for n in data["allQuestions"]["nodes"]:
        rows.append((n["rowId"], n["description"], epoch_ms(n["createdAt"]),
                     *person(n["userByStudentId"]), n["groupByGroupId"]["name"],
                     n["disciplineByDisciplineId"]["name"]))
    return rows


FIELDS = ("uuid", "description", "createdAt ms", "student firstName", "student lastName",
          "student email", "group name", "discipline name")


def ties(rows):
    seen, n = {}, 0
    for r in rows:
        seen[r[2]] = seen.get(r[2], 0) + 1
    for c in seen.values():
        if c > 1:
            n += c
    return n


def page(n, ours_path, theirs_path):
    n = int(n)
    ours, theirs = ours_page(load(ours_path)), theirs_page(load(theirs_path))
    masked = sum(1 for r in ours if r[3] is None)
    if masked:
        die(f"ours: {masked} of {len(ours)} rows have no student (masked anonymous?): "
            "the token should have --reveal-anonymous")
    if len(ours) != n or len(theirs) != n:
        die(f"page of {n}: ours has {len(ours)} rows, PostGraphile {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a == b:
            continue
        diff = [f"{FIELDS[j]}: ours {a[j]!r} vs theirs {b[j]!r}" for j in range(len(a)) if a[j] != b[j]]
        msg = f"page of {n}: first difference at row {i + 1} ({a[0]} vs {b[0]}): " + "; ".join(diff)
        if a[2] == b[2] and a[0] != b[0]:
            same = sorted(r[0] for r in ours if r[2] == a[2])
            msg += (f"\n  ORDER ON A created_at TIE: {len(same)} questions share createdAt {a[2]} ms "
                    f"({', '.join(same)}); ours and PostGraphile break the tie differently")
        die(msg)
    print(f"page of {n}: {n} rows equal in order (uuid, description, createdAt ms, student "
          f"first/last/email, group, discipline); rows sharing a createdAt with another: {ties(ours)}")


def day_key(ts):
    ms = epoch_ms(ts)
    if ms % 86400000:
        die(f"bucket {ts} does not start at a UTC midnight")
    return ms


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def stats(ours_path, theirs_path):
    ours, theirs = {}, {}
    for b in load(ours_path)["questionStats"]:
        ours[day_key(b["bucketStart"])] = (b["count"], b["avgResponseMinutes"])
    for g in load(theirs_path)["allQuestions"]["groupedAggregates"]:
        avg = g["average"]["responseMinutes"]
        theirs[day_key(g["keys"][0])] = (int(g["distinctCount"]["rowId"]), None if avg is None else float(avg))
    days = sorted(set(ours) | set(theirs))
    for d in days:
        day = datetime.fromtimestamp(d / 1000, timezone.utc).strftime("%Y-%m-%d")
        if d not in ours or d not in theirs:
            die(f"stats: day {day} only in {'ours' if d in ours else 'PostGraphile'}: {ours.get(d) or theirs.get(d)}")
        if ours[d][0] != theirs[d][0]:
            die(f"stats: day {day}: count ours {ours[d][0]} vs theirs {theirs[d][0]}")
        if not close(ours[d][1], theirs[d][1]):
            die(f"stats: day {day}: mean response minutes ours {ours[d][1]!r} vs theirs {theirs[d][1]!r}")
    total = sum(c for c, _ in ours.values())
    print(f"stats by UTC day: {len(days)} days, {total} questions; per-day counts equal, "
          "mean response minutes equal to 1e-9")


def main(argv):
    if len(argv) == 2 and argv[0] == "body":
        print(json.dumps({"query": argv[1]}, ensure_ascii=False))
    elif len(argv) == 4 and argv[0] == "page":
        page(*argv[1:])
    elif len(argv) == 3 and argv[0] == "stats":
        stats(*argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
