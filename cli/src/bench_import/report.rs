//! The figures of a `bench import` run, as JSON and as text.

use super::stages::*;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

pub(super) fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10000.0 / whole as f64).round() / 100.0
    }
}

/// The report as one JSON object with stable keys.
pub(super) fn report(
    options: &Options,
    jobs: usize,
    specs: &[Spec],
    outcomes: &[Outcome],
    parallel_wall: Duration,
    compiled: Option<Value>,
    wall: Duration,
) -> Value {
    let total_specs = specs.len();
    let total_operations: usize = outcomes.iter().map(|o| o.operations).sum();
    let stages = if compiled.is_some() { 4 } else { 3 };
    let mut stage_reports = serde_json::Map::new();
    for (stage, name) in STAGES.iter().enumerate().take(stages) {
        let passing: Vec<&Outcome> = outcomes.iter().filter(|o| o.passed > stage).collect();
        let failed: Vec<(usize, &Outcome)> =
            outcomes.iter().enumerate().filter(|(_, o)| o.passed == stage && !o.causes.is_empty()).collect();
        let operations: usize = passing.iter().map(|o| o.operations).sum();
        let tools: usize = passing.iter().map(|o| o.tools).sum();
        let mut causes: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, o) in &failed {
            for cause in &o.causes {
                causes.entry(cause.as_str()).or_insert((0, *i)).0 += 1;
            }
        }
        let mut causes: Vec<_> = causes.into_iter().collect();
        causes.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        let top: Vec<Value> = causes
            .iter()
            .take(options.failures)
            .map(|(cause, (count, example))| {
                json!({
                    "cause": cause,
                    "specs": count,
                    "example": { "spec": specs[*example].name, "message": outcomes[*example].message },
                })
            })
            .collect();
        let time_s = match (stage, &compiled) {
            (COMPILE, Some(c)) => c["wall_s"].as_f64().unwrap_or_default(),
            _ => outcomes.iter().map(|o| o.times[stage].as_secs_f64()).sum(),
        };
        stage_reports.insert(
            (*name).to_owned(),
            json!({
                "passed": passing.len(),
                "passed_pct": pct(passing.len(), total_specs),
                "failed": failed.len(),
                "operations": operations,
                "operations_pct": pct(operations, total_operations),
                "tools": tools,
                "tools_pct": pct(tools, total_operations),
                "time_s": time_s,
                "distinct_causes": causes.len(),
                "top_causes": top,
            }),
        );
    }

    // Tool names: valid for every provider, unique in their toolkit and overall.
    let mut total = 0;
    let mut valid = 0;
    let mut unique_in_toolkit = 0;
    let mut overall: HashMap<&str, usize> = HashMap::new();
    let mut invalid_examples = Vec::new();
    for o in outcomes {
        let mut seen = HashMap::new();
        for name in &o.names {
            *seen.entry(name.as_str()).or_insert(0usize) += 1;
            *overall.entry(name.as_str()).or_insert(0) += 1;
        }
        for name in &o.names {
            total += 1;
            let ok = (1..=64).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if ok {
                valid += 1;
            } else if invalid_examples.len() < 5 {
                invalid_examples.push(name.clone());
            }
            if seen[name.as_str()] == 1 {
                unique_in_toolkit += 1;
            }
        }
    }
    let unique_overall = overall.values().filter(|&&n| n == 1).count();
    let good = outcomes
        .iter()
        .flat_map(|o| &o.names)
        .filter(|n| {
            (1..=64).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && overall[n.as_str()] == 1
        })
        .count();
    let path_vars: usize = outcomes.iter().map(|o| o.path_vars).sum();
    let bound: usize = outcomes.iter().map(|o| o.path_vars_bound).sum();
    let unbound_examples: Vec<String> = outcomes
        .iter()
        .zip(specs)
        .flat_map(|(o, s)| o.unbound.iter().map(move |u| format!("{}: {u}", s.name)))
        .take(5)
        .collect();

    // Operations the importer left out, and its warnings.
    let imported: Vec<&Outcome> = outcomes.iter().filter(|o| o.passed > IMPORT).collect();
    let missing: usize = imported.iter().map(|o| o.operations.saturating_sub(o.tools)).sum();
    let mut dropped: HashMap<&str, (usize, usize, String)> = HashMap::new();
    for (o, spec) in outcomes.iter().zip(specs) {
        let mut seen = HashSet::new();
        for (cause, raw) in &o.dropped {
            let entry = dropped.entry(cause.as_str()).or_insert_with(|| (0, 0, format!("{}: {raw}", spec.name)));
            entry.0 += 1;
            if seen.insert(cause.as_str()) {
                entry.1 += 1;
            }
        }
    }
    let dropped_total: usize = dropped.values().map(|d| d.0).sum();
    let mut dropped: Vec<_> = dropped.into_iter().collect();
    dropped.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let dropped_causes = dropped.len();
    let dropped: Vec<Value> = dropped
        .into_iter()
        .take(options.failures)
        .map(|(cause, (operations, in_specs, example))| {
            json!({ "cause": cause, "operations": operations, "specs": in_specs, "example": example })
        })
        .collect();
    let mut warnings: HashMap<&str, (usize, usize)> = HashMap::new();
    for o in outcomes {
        let mut seen = HashSet::new();
        for w in &o.warnings {
            let entry = warnings.entry(w.as_str()).or_default();
            entry.0 += 1;
            if seen.insert(w.as_str()) {
                entry.1 += 1;
            }
        }
    }
    let warnings_total: usize = warnings.values().map(|w| w.0).sum();
    let mut warnings: Vec<_> = warnings.into_iter().collect();
    warnings.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let warning_kinds = warnings.len();
    let warnings: Vec<Value> = warnings
        .into_iter()
        .take(options.failures)
        .map(|(warning, (count, in_specs))| json!({ "warning": warning, "count": count, "specs": in_specs }))
        .collect();

    // Generated code: its size, and the largest.
    let generated: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].code_bytes > 0).collect();
    let code_bytes: usize = generated.iter().map(|&i| outcomes[i].code_bytes).sum();
    let code_tools: usize = generated.iter().map(|&i| outcomes[i].tools).sum();
    let mut by_size = generated.clone();
    by_size.sort_by_key(|&i| std::cmp::Reverse(outcomes[i].code_bytes));
    let largest: Vec<Value> = by_size
        .iter()
        .take(5)
        .map(|&i| json!({ "spec": specs[i].name, "bytes": outcomes[i].code_bytes, "tools": outcomes[i].tools }))
        .collect();

    let mut slowest: Vec<(usize, Duration)> =
        outcomes.iter().enumerate().map(|(i, o)| (i, o.times.iter().sum())).collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.1));
    let slowest: Vec<Value> = slowest
        .iter()
        .take(5)
        .map(|(i, t)| {
            let o = &outcomes[*i];
            json!({
                "spec": specs[*i].name,
                "operations": o.operations,
                "time_s": t.as_secs_f64(),
                "import_s": o.times[IMPORT].as_secs_f64(),
                "validate_s": o.times[VALIDATE].as_secs_f64(),
                "generate_s": o.times[GENERATE].as_secs_f64(),
            })
        })
        .collect();

    json!({
        "dir": options.dir.display().to_string(),
        "specs": total_specs,
        "operations": total_operations,
        "jobs": jobs,
        "wall_s": wall.as_secs_f64(),
        "in_process_wall_s": parallel_wall.as_secs_f64(),
        "compile": compiled,
        "generated_code": {
            "bytes": code_bytes,
            "bytes_per_tool": code_bytes.checked_div(code_tools).unwrap_or(0),
            "largest": largest,
        },
        "stages": stage_reports,
        "tool_names": {
            "tools": total,
            "valid": valid,
            "valid_pct": pct(valid, total),
            "unique_in_toolkit": unique_in_toolkit,
            "unique_in_toolkit_pct": pct(unique_in_toolkit, total),
            "unique_overall": unique_overall,
            "unique_overall_pct": pct(unique_overall, total),
            "valid_and_unique": good,
            "valid_and_unique_pct": pct(good, total),
            "invalid_examples": invalid_examples,
        },
        "path_vars": {
            "vars": path_vars,
            "with_argument": bound,
            "with_argument_pct": pct(bound, path_vars),
            "without_argument_examples": unbound_examples,
        },
        "left_out": {
            "operations_without_tool": missing,
            "operations_left_out": dropped_total,
            "distinct_causes": dropped_causes,
            "top_causes": dropped,
        },
        "import_warnings": {
            "warnings": warnings_total,
            "distinct": warning_kinds,
            "top": warnings,
        },
        "slowest": slowest,
    })
}

/// The report as text.
pub(super) fn render(r: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let num = |v: &Value| v.as_u64().unwrap_or(0);
    let float = |v: &Value| v.as_f64().unwrap_or(0.0);
    let _ = writeln!(
        s,
        "bench import {}: {} specs, {} operations, {} jobs; {:.1} s wall ({:.1} s in process{})",
        r["dir"].as_str().unwrap_or(""),
        num(&r["specs"]),
        num(&r["operations"]),
        num(&r["jobs"]),
        float(&r["wall_s"]),
        float(&r["in_process_wall_s"]),
        match r["compile"].as_object() {
            Some(c) => format!(
                ", {:.1} s compiling: {} batches (≤ {} specs, ≤ {} MiB of code), {} cargo checks with the narrowing down, {:.1} s of them compiling the dependencies",
                float(&c["wall_s"]),
                num(&c["batches"]),
                num(&c["batch_size"]),
                num(&c["batch_bytes"]) >> 20,
                num(&c["cargo_checks"]),
                float(&c["warm_up_s"])
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<9} {:>15} {:>17} {:>17} {:>10}",
        "stage", "specs passed", "their operations", "their tools", "time (Σ)"
    );
    let stages = r["stages"].as_object().cloned().unwrap_or_default();
    for name in STAGES {
        let Some(st) = stages.get(name) else {
            let _ = writeln!(s, "{name:<9} {:>15}", "(not run; --compile)");
            continue;
        };
        let _ = writeln!(
            s,
            "{:<9} {:>7} {:>6.2}% {:>8} {:>6.2}% {:>8} {:>6.2}% {:>8.1} s",
            name,
            num(&st["passed"]),
            float(&st["passed_pct"]),
            num(&st["operations"]),
            float(&st["operations_pct"]),
            num(&st["tools"]),
            float(&st["tools_pct"]),
            float(&st["time_s"])
        );
    }
    let _ = writeln!(
        s,
        "(percentages of all specs / all operations; a stage runs on the specs that passed the ones before)"
    );
    let n = &r["tool_names"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "tool names: {} tools; {:.2}% match ^[a-zA-Z0-9_-]{{1,64}}$, {:.2}% unique in their toolkit, {:.2}% unique overall: {:.2}% valid and unique",
        num(&n["tools"]),
        float(&n["valid_pct"]),
        float(&n["unique_in_toolkit_pct"]),
        float(&n["unique_overall_pct"]),
        float(&n["valid_and_unique_pct"])
    );
    if let Some(examples) = n["invalid_examples"].as_array().filter(|e| !e.is_empty()) {
        let _ = writeln!(
            s,
            "  invalid, e.g.: {}",
            examples.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        );
    }
    let p = &r["path_vars"];
    let _ = writeln!(
        s,
        "path vars: {} `{{var}}`s in tool paths; {} ({:.2}%) have an `in: path` argument",
        num(&p["vars"]),
        num(&p["with_argument"]),
        float(&p["with_argument_pct"])
    );
    if let Some(examples) = p["without_argument_examples"].as_array().filter(|e| !e.is_empty()) {
        let _ = writeln!(
            s,
            "  without, e.g.: {}",
            examples.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
        );
    }
    let left = &r["left_out"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "operations of imported specs without a tool: {}; left out by the importer with a warning: {} ({} distinct causes){}",
        num(&left["operations_without_tool"]),
        num(&left["operations_left_out"]),
        num(&left["distinct_causes"]),
        if left["top_causes"].as_array().is_some_and(|c| !c.is_empty()) { "; top:" } else { "" }
    );
    for c in left["top_causes"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>5} ops {:>4} specs  {}",
            num(&c["operations"]),
            num(&c["specs"]),
            c["cause"].as_str().unwrap_or("")
        );
        let example: String = c["example"].as_str().unwrap_or("").chars().take(300).collect();
        let _ = writeln!(s, "         e.g. {example}");
    }
    let w = &r["import_warnings"];
    let _ = writeln!(s);
    let _ = writeln!(s, "import warnings: {} ({} distinct); most frequent:", num(&w["warnings"]), num(&w["distinct"]));
    for x in w["top"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>6} ×{:>5} specs  {}",
            num(&x["count"]),
            num(&x["specs"]),
            x["warning"].as_str().unwrap_or("")
        );
    }
    for name in STAGES {
        let Some(st) = stages.get(name) else { continue };
        let causes = st["top_causes"].as_array().cloned().unwrap_or_default();
        if causes.is_empty() {
            continue;
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{name}: {} specs failed, {} distinct causes (a spec can have several); top {}:",
            num(&st["failed"]),
            num(&st["distinct_causes"]),
            causes.len()
        );
        for c in &causes {
            let _ = writeln!(s, "  {:>5}  {}", num(&c["specs"]), c["cause"].as_str().unwrap_or(""));
            let message: String = c["example"]["message"].as_str().unwrap_or("").chars().take(300).collect();
            let _ = writeln!(s, "         e.g. {}: {}", c["example"]["spec"].as_str().unwrap_or(""), message);
        }
    }
    let g = &r["generated_code"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "generated code: {:.1} MiB, {} bytes per tool; largest: {}",
        num(&g["bytes"]) as f64 / 1048576.0,
        num(&g["bytes_per_tool"]),
        g["largest"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|x| format!(
                "{} {:.1} MiB ({} tools)",
                x["spec"].as_str().unwrap_or(""),
                num(&x["bytes"]) as f64 / 1048576.0,
                num(&x["tools"])
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "slowest specs (import + validate + generate):");
    for x in r["slowest"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>7.2} s  {} ({} operations: import {:.2} s, validate {:.2} s, generate {:.2} s)",
            float(&x["time_s"]),
            x["spec"].as_str().unwrap_or(""),
            num(&x["operations"]),
            float(&x["import_s"]),
            float(&x["validate_s"]),
            float(&x["generate_s"])
        );
    }
    s
}
