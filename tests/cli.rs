//! The `warden` binary: exit codes, output files, formats, and errors users see.

use std::path::Path;
use std::process::{Command, Output};

fn warden(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run warden")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn demo_prints_a_summary_and_exits_zero() {
    let out = warden(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("account 111122223333 (3 regions"), "{text}");
    assert!(text.contains("FAIL") && text.contains("ERROR"), "{text}");
    assert!(text.contains("iam_root_hardware_mfa"), "{text}");
}

#[test]
fn demo_csv_has_a_header_and_one_row_per_finding() {
    let out = warden(&["demo", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "account_id");
    assert!(headers.iter().any(|h| h == "requirements"));
    let json = warden(&["demo", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = reader.records().count();
    assert_eq!(rows, report["findings"].as_array().unwrap().len());
}

#[test]
fn asff_follows_the_contract() {
    let out = warden(&["demo", "--format", "asff"]);
    assert_eq!(out.status.code(), Some(0));
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!findings.is_empty());
    for f in &findings {
        let id = f["Id"].as_str().unwrap();
        let parts: Vec<&str> = id.split('/').collect();
        assert_eq!(parts.len(), 5, "{id}");
        assert_eq!(parts[0], "warden");
        assert_eq!(parts[1], f["AwsAccountId"].as_str().unwrap());
        assert_eq!(parts[3], f["GeneratorId"].as_str().unwrap());
        assert_eq!(
            f["ProductArn"],
            format!(
                "arn:aws:securityhub:{}:111122223333:product/111122223333/default",
                parts[2]
            )
        );
        assert_eq!(
            f["Types"][0],
            "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
        );
        assert!(f["Title"].as_str().unwrap().chars().count() <= 256);
        assert!(f["Description"].as_str().unwrap().chars().count() <= 1024);
        let status = f["Compliance"]["Status"].as_str().unwrap();
        assert!(
            ["PASSED", "FAILED", "NOT_AVAILABLE"].contains(&status),
            "{status}"
        );
        if status == "NOT_AVAILABLE" {
            assert!(
                f["Compliance"]["StatusReasons"][0]["ReasonCode"].is_string(),
                "{f}"
            );
        }
        for r in f["Compliance"]["RelatedRequirements"].as_array().unwrap() {
            let r = r.as_str().unwrap();
            assert!(
                r.starts_with("CIS AWS Foundations Benchmark v")
                    || r.starts_with("AWS Foundational Security Best Practices v1.0.0/"),
                "{r}"
            );
        }
        let resource = &f["Resources"][0];
        assert!(resource["Type"].as_str().unwrap().starts_with("Aws"));
        assert!(
            resource["Id"].as_str().unwrap().starts_with("arn:aws:")
                || resource["Id"]
                    .as_str()
                    .unwrap()
                    .starts_with("AWS::::Account:")
        );
        assert!(
            !f["GeneratorId"].as_str().unwrap().starts_with("manual:"),
            "MANUAL findings are not exported"
        );
    }
    // A denied call shows up as NOT_AVAILABLE with the reason.
    let denied = findings
        .iter()
        .find(|f| f["Compliance"]["StatusReasons"][0]["ReasonCode"] == "ACCESS_DENIED")
        .expect("an ACCESS_DENIED finding in the demo");
    assert!(denied["Compliance"]["StatusReasons"][0]["Description"]
        .as_str()
        .unwrap()
        .contains("kms:ListKeys"));
    // Ids are stable across runs.
    let again: Vec<serde_json::Value> =
        serde_json::from_slice(&warden(&["demo", "--format", "asff"]).stdout).unwrap();
    let ids = |v: &[serde_json::Value]| v.iter().map(|f| f["Id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&findings), ids(&again));
}

#[test]
fn asff_passes_botocore_validation() {
    let python = std::env::var("WARDEN_TEST_PYTHON")
        .expect("WARDEN_TEST_PYTHON is not set: run the tests with scripts/test.sh, which installs botocore with moto");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.asff.json");
    let out = warden(&[
        "demo",
        "--format",
        "asff",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/asff_validate.py");
    let check = Command::new(python)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
}

#[test]
fn malformed_evidence_names_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"accounts\": [ oops ]\n}\n",
    )
    .unwrap();
    let out = warden(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("broken.json") && err.contains("line 3"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn evidence_from_another_schema_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.json");
    std::fs::write(&path, "{\"schema_version\": 99}").unwrap();
    let out = warden(&["eval", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("schema_version 99"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn eval_of_the_demo_evidence_reports_errors_with_exit_two() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/evidence.json");
    let out = warden(&["eval", demo.to_str().unwrap(), "--format", "json"]);
    // The demo has a denied kms:ListKeys: ERROR findings mean exit 2.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let only_iam = warden(&[
        "eval",
        demo.to_str().unwrap(),
        "--checks",
        "iam_password_policy_min_length",
    ]);
    assert_eq!(only_iam.status.code(), Some(1));
    let high = warden(&[
        "eval",
        demo.to_str().unwrap(),
        "--checks",
        "iam_password_policy_min_length",
        "--fail-on",
        "high",
    ]);
    assert_eq!(
        high.status.code(),
        Some(0),
        "a medium FAIL below --fail-on high"
    );
}

#[test]
fn unknown_names_are_errors_not_empty_reports() {
    let out = warden(&["demo", "--checks", "no_such_check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no_such_check"));
    let out = warden(&["demo", "--framework", "cis-9.9.9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cis-7.0.0"),
        "lists the known frameworks: {}",
        stderr(&out)
    );
    let out = warden(&["scan", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = warden(&["demo", "--param", "iam_access_key_rotation.no_such=3"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn params_change_verdicts() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/evidence.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            demo.to_str().unwrap(),
            "--checks",
            "iam_access_key_rotation",
            "--format",
            "csv",
        ];
        args.extend_from_slice(extra);
        let out = warden(&args);
        stdout(&out)
            .lines()
            .filter(|l| l.contains(",FAIL,"))
            .count()
    };
    let default = run(&[]);
    let strict = run(&["--param", "iam_access_key_rotation.max_key_age_days=20"]);
    assert!(strict > default, "{strict} > {default}");
}

#[test]
fn checks_list_and_show() {
    let out = warden(&["checks", "list", "--format", "json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let tomls = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("checks"))
        .unwrap()
        .flatten()
        .filter(|d| d.file_name() != "frameworks")
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .count();
    assert_eq!(list.len(), tomls);
    let out = warden(&["checks", "show", "iam_access_key_rotation"]);
    let text = stdout(&out);
    assert!(
        text.contains("max_key_age_days = 90")
            && text.contains("CIS AWS Foundations Benchmark v7.0.0/"),
        "{text}"
    );
    assert_eq!(warden(&["checks", "show", "nope"]).status.code(), Some(2));
}

#[test]
fn scan_writes_report_and_evidence_atomically_owner_only() {
    let endpoint = std::env::var("WARDEN_TEST_ENDPOINT")
        .expect("WARDEN_TEST_ENDPOINT is not set: run the tests with scripts/test.sh");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("scan.json");
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            &endpoint,
            "--stats",
            "--output",
        ])
        .arg(&report)
        .output()
        .unwrap();
    // The emulator cannot answer everything (no root row in the credential report): exit 2.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("API calls:"), "{}", stderr(&out));
    let parsed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(parsed["run"]["api_calls_total"].as_u64().unwrap() > 10);
    let evidence = dir.path().join("scan.evidence.json");
    let eval = warden(&["eval", evidence.to_str().unwrap()]);
    assert_eq!(eval.status.code(), Some(2), "{}", stderr(&eval));
    #[cfg(unix)]
    for path in [&report, &evidence] {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn a_failed_scan_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("scan.json");
    std::fs::write(&report, "yesterday's report").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--output",
        ])
        .arg(&report)
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot identify the AWS account"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "yesterday's report"
    );
}

#[test]
fn diff_reports_new_failures_with_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/evidence.json");
    // Yesterday only the IAM checks ran; today everything: the rest are new failures.
    let made = warden(&[
        "eval",
        demo.to_str().unwrap(),
        "--checks",
        "iam_user_console_mfa",
        "--output",
        old.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(1), "{}", stderr(&made));
    warden(&[
        "eval",
        demo.to_str().unwrap(),
        "--output",
        new.to_str().unwrap(),
    ]);
    let out = warden(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("new failure(s)")
            && text.contains("STILL FAILING")
            && text.contains("NEW FAILURE"),
        "{text}"
    );
    let same = warden(&[
        "diff",
        new.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(same.status.code(), Some(0));
    let parsed: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(parsed["new_failures"], 0);
    let bad = warden(&["diff", demo.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("evidence.json"), "{}", stderr(&bad));
}

#[test]
fn scan_output_dir_keeps_history_and_quiet_json_logs() {
    let endpoint = std::env::var("WARDEN_TEST_ENDPOINT")
        .expect("WARDEN_TEST_ENDPOINT is not set: run the tests with scripts/test.sh");
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--regions",
            "us-east-1",
            "--endpoint-url",
            endpoint.as_str(),
            "--format",
            "csv",
        ];
        args.extend_from_slice(extra);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden"));
        cmd.args(&args).arg("--output-dir").arg(dir.path());
        cmd.output().unwrap()
    };
    let out = run(&["--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).is_empty(),
        "--quiet prints nothing but errors: {}",
        stderr(&out)
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = run(&["--log-format", "json", "-v"]);
    for line in stderr(&out).lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        4,
        "two reports and two evidence files: {names:?}"
    );
    assert!(
        names
            .iter()
            .filter(|n| n.ends_with(".csv"))
            .all(|n| n.starts_with("warden-123456789012-")),
        "{names:?}"
    );
}
