#!/usr/bin/env python3
"""An independent implementation of deadline-contract.md, written from the contract text and using the `holidays`
library (0.109) directly. It generates `tests/fixtures/deadline_cases.jsonl`: random and edge cases with the dates
the contract gives, which `tests/it/deadline_contract.rs` runs through the real `rightsdesk deadline` binary.
Run: `python3 scripts/deadline_oracle.py > tests/fixtures/deadline_cases.jsonl` (deterministic: fixed seed)."""
import calendar as pycal
import datetime as dt
import json
import random
import re

import holidays

EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO".split()
SUB = re.compile(r"^[A-Z0-9]{1,3}$")
G6 = ["access", "rectification", "erasure", "restriction", "portability", "objection"]
US6 = ["access", "rectification", "erasure", "portability", "opt-out", "appeal"]
REGIMES = {
    "eu-gdpr": (G6, None), "uk-gdpr": (G6, "GB-ENG"),
    "us-ca-ccpa": (["access", "erasure", "rectification", "opt-out-sale-sharing", "limit-sensitive"], "US"),
    "us-va-vcdpa": (US6, "US-VA"), "us-co-cpa": (US6, "US-CO"), "us-ct-ctdpa": (US6, "US-CT"),
    "br-lgpd": (["access"], "BR"), "ca-pipeda": (["access"], "CA"),
    "ca-qc-law25": (["access", "rectification", "portability"], "CA-QC"), "ch-fadp": (["access", "portability"], "CH"),
    "za-popia": (["access"], "ZA"), "sg-pdpa": (["access", "rectification"], "SG"),
    "au-privacy": (["access", "rectification"], "AU"),
}
SUPPORTED = holidays.list_supported_countries()


def subs(country):
    return [f"{country}-{s}" for s in SUPPORTED[country] if SUB.match(s)]


def allowed(regime):
    return {
        "eu-gdpr": EU + [s for c in EU for s in subs(c)], "uk-gdpr": ["GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR"],
        "us-ca-ccpa": ["US", "US-CA"], "us-va-vcdpa": ["US-VA", "US"], "us-co-cpa": ["US-CO", "US"],
        "us-ct-ctdpa": ["US-CT", "US"], "br-lgpd": ["BR"] + subs("BR"), "ca-pipeda": ["CA"] + subs("CA"),
        "ca-qc-law25": ["CA-QC"], "ch-fadp": ["CH"] + subs("CH"), "za-popia": ["ZA"], "sg-pdpa": ["SG"],
        "au-privacy": ["AU"] + subs("AU"),
    }[regime]


_cache = {}


def hol(code):
    if code not in _cache:
        c, _, s = code.partition("-")
        _cache[code] = holidays.country_holidays(c, subdiv=s or None, years=range(2020, 2037))
    return _cache[code]


def months(d, n):
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, pycal.monthrange(y, m)[1]))


def days(d, n):
    return d + dt.timedelta(n)


def working(d, h):
    return d.weekday() < 5 and d not in h


def bdays1(d, n, h):
    count = 0
    while True:
        if working(d, h):
            count += 1
            if count == n:
                return d
        d = days(d, 1)


def roll_working(d, h):
    while not working(d, h):
        d = days(d, 1)
    return d


def roll_nonholiday(d, h):
    while d.weekday() == 6 or d in h:
        d = days(d, 1)
    return d


def compute(regime, kind, r, cal, verified=None, fee=None, pauses=()):
    h = hol(cal)
    start, ack, ext, paused = r, None, None, 0
    if regime == "eu-gdpr":
        due, ext = roll_working(months(r, 1), h), roll_working(months(r, 3), h)
    elif regime == "uk-gdpr":
        start = max([r] + [x for x in (verified, fee) if x])
        for a, b in pauses:
            if b >= start:
                paused += (b - max(a, start)).days + 1
        due = roll_working(days(months(start, 1), paused), h)
        ext = roll_working(days(months(start, 3), paused), h)
    elif regime == "us-ca-ccpa":
        if kind in ("access", "erasure", "rectification"):
            due, ext, ack = days(r, 44), days(r, 89), bdays1(r, 10, h)
        else:
            due = bdays1(r, 15, h)
    elif regime in ("us-va-vcdpa", "us-ct-ctdpa"):
        due, ext = (days(r, 60), None) if kind == "appeal" else (days(r, 45), days(r, 90))
    elif regime == "us-co-cpa":
        due = roll_working(days(r, 45), h)
        ext = roll_working(days(r, 105 if kind == "appeal" else 90), h)
    elif regime == "br-lgpd":
        due = roll_working(days(r, 15), h)
    elif regime in ("ca-pipeda", "za-popia"):
        due, ext = roll_nonholiday(days(r, 30), h), roll_nonholiday(days(r, 60), h)
    elif regime in ("ca-qc-law25", "sg-pdpa"):
        due = roll_nonholiday(days(r, 30), h)
    else:  # ch-fadp, au-privacy
        due = roll_working(days(r, 30), h)
    iso = lambda d: d.isoformat() if d else None
    return {"clock_start": iso(start), "acknowledge_by": iso(ack), "due": iso(due), "extended_due": iso(ext),
            "paused_days": paused}


def main():
    rng = random.Random(20261122)
    lo, hi = dt.date(2020, 1, 1), dt.date(2035, 12, 31)
    span = (hi - lo).days
    # Month ends, leap days, Christmas/New Year runs, Easter weeks: the places deadlines go wrong.
    hot = [dt.date(y, m, d) for y in range(2020, 2036) for (m, d) in
           [(1, 30), (1, 31), (2, 28), (2, 29), (3, 31), (5, 31), (8, 31), (10, 31), (11, 30), (12, 1), (12, 20),
            (12, 24), (12, 31), (3, 20), (4, 1)] if not (m == 2 and d == 29 and not pycal.isleap(y))]
    out = []
    for i in range(4000):
        regime = rng.choice(list(REGIMES))
        kinds, default = REGIMES[regime]
        kind = rng.choice(kinds)
        r = rng.choice(hot) if i % 3 == 0 else lo + dt.timedelta(rng.randrange(span + 1))
        cal = None if (default and rng.random() < 0.5) else rng.choice(allowed(regime))
        args = ["--regime", regime, "--kind", kind, "--received", r.isoformat()]
        if cal:
            args += ["--calendar", cal]
        verified = fee = None
        pauses = []
        if rng.random() < 0.3:
            verified = min(hi, r + dt.timedelta(rng.randrange(40)))
            args += ["--verified", verified.isoformat()]
        if rng.random() < 0.15:
            fee = min(hi, r + dt.timedelta(rng.randrange(40)))
            args += ["--fee-paid", fee.isoformat()]
        if regime == "uk-gdpr" and kind == "access" and rng.random() < 0.5:
            a = r
            for _ in range(rng.randrange(1, 4)):
                a = a + dt.timedelta(rng.randrange(0, 20))
                b = a + dt.timedelta(rng.randrange(0, 15))
                if b > hi:
                    break
                pauses.append((a, b))
                args += ["--pause", f"{a.isoformat()}:{b.isoformat()}"]
                a = b + dt.timedelta(1)
        expect = compute(regime, kind, r, cal or default, verified, fee, pauses)
        expect.update({"regime": regime, "kind": kind, "calendar": cal or default, "received": r.isoformat()})
        out.append(json.dumps({"args": args, "expect": expect}, sort_keys=True))
    print("\n".join(out))


if __name__ == "__main__":
    main()
