"""`wallboard staffing`: agents needed for one interval (Erlang C, or Erlang A with patience).

Example: `wallboard staffing --contacts 100 --interval-min 30 --aht 180 --target 0.8
--answer-within 20 --shrinkage 0.3 --json` gives 14 agents on the phone, 20 scheduled.
"""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff


def _staffing(args: argparse.Namespace) -> int:
    try:
        workload = Workload(
            contacts=args.contacts,
            interval_s=args.interval_min * 60.0,
            aht_s=args.aht,
            concurrency=args.concurrency,
        )
        goal = ServiceGoal(
            target=args.target,
            answer_within_s=args.answer_within,
            max_occupancy=args.max_occupancy,
            shrinkage=args.shrinkage,
        )
        result = required_staff(workload, goal, patience_s=args.patience)
    except ValueError as exc:
        print(f"staffing: {exc}", file=sys.stderr)
        return 2
    data = result.to_json()
    if args.json:
        print(json.dumps(data, sort_keys=True))
        return 0
    lines = [
        f"model                  {data['model']}",
        f"traffic                {data['traffic_erlangs']:.2f} Erlangs",
        f"agents                 {data['agents']}",
        f"agents with shrinkage  {data['agents_with_shrinkage']}",
        f"service level          {data['service_level']:.1%} in {args.answer_within:g} s",
        f"occupancy              {data['occupancy']:.1%}",
        f"ASA                    {data['asa_s']:.1f} s",
        f"P(wait)                {data['p_wait']:.1%}",
    ]
    if "abandon_rate" in data:
        lines.append(f"abandon rate           {data['abandon_rate']:.1%}")
    print("\n".join(lines))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "staffing",
        help="agents required for one interval (Erlang C; Erlang A with --patience)",
    )
    parser.add_argument("--contacts", type=float, required=True, help="contacts per interval")
    parser.add_argument("--interval-min", type=float, required=True, help="interval (minutes)")
    parser.add_argument("--aht", type=float, required=True, help="average handle time (s)")
    parser.add_argument("--target", type=float, required=True, help="service level goal 0..1")
    parser.add_argument(
        "--answer-within", type=float, required=True, help="service level threshold (s)"
    )
    parser.add_argument("--shrinkage", type=float, default=0.0, help="0..1 (default 0)")
    parser.add_argument("--max-occupancy", type=float, default=1.0, help="0..1 (default 1: no cap)")
    parser.add_argument(
        "--patience", type=float, default=None, help="mean patience (s): use Erlang A"
    )
    parser.add_argument(
        "--concurrency", type=float, default=1.0, help="chats per agent (AHT is divided)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_staffing)
