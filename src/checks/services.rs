//! Regional services: IAM Access Analyzer and GuardDuty enabled in every region; RDS DB instances
//! encrypted, patched, private and Multi-AZ; EFS file systems encrypted.

use serde_json::json;

use super::{per_region_account, CheckContext, Outcome};
use crate::evidence::{
    Analyzer, Collected, DbInstance, EfsFileSystem, GuardDutyDetector, RegionEvidence,
};
use crate::model::{Resource, Status};

/// One outcome per resource of a regional list: not collected where the field is `None`, ERROR
/// where the list could not be read, NOT_APPLICABLE (`nothing`) where it is empty.
fn per_resource<T>(
    ctx: &CheckContext,
    what: &str,
    get: impl Fn(&RegionEvidence) -> Option<&Collected<Vec<T>>>,
    each: impl Fn(&str, &RegionEvidence, &T) -> Outcome,
    nothing: impl Fn(&str) -> String,
) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        match get(evidence) {
            None => out.push(Outcome::not_collected(region, ctx.account_resource(), what)),
            Some(Err(e)) => out.push(Outcome::error(region, ctx.account_resource(), e)),
            Some(Ok(items)) if items.is_empty() => out.push(Outcome::not_applicable(
                region,
                ctx.account_resource(),
                nothing(region),
            )),
            Some(Ok(items)) => out.extend(items.iter().map(|i| each(region, evidence, i))),
        }
    }
    if out.is_empty() {
        out.push(Outcome::not_applicable(
            ctx.home(),
            ctx.account_resource(),
            "No region was scanned.",
        ));
    }
    out
}

fn analyzer_json(a: &Analyzer) -> serde_json::Value {
    json!({ "name": a.name, "arn": a.arn, "type": a.kind, "status": a.status })
}

/// Why an analyzer is not an active external access analyzer.
fn analyzer_shortfall(a: &Analyzer) -> String {
    if !matches!(a.kind.as_str(), "ACCOUNT" | "ORGANIZATION") {
        format!(
            "{} is an {} analyzer, not an external access analyzer",
            a.name, a.kind
        )
    } else {
        format!(
            "{} ({}) is {}, not ACTIVE",
            a.name,
            a.kind,
            if a.status.is_empty() {
                "in no status"
            } else {
                &a.status
            }
        )
    }
}

/// CIS: an active analyzer of external access (zone of trust: the account or the organization)
/// in every region. Unused-access and internal-access analyzers do not count, nor does an
/// external access analyzer that is still CREATING, DISABLED or FAILED.
pub fn accessanalyzer_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    per_region_account(
        ctx,
        "IAM Access Analyzer data",
        |r| r.access_analyzers.as_ref(),
        |region, analyzers: &Vec<Analyzer>| {
            let resource = ctx.account_resource();
            let evidence = json!({
                "analyzers": analyzers.iter().map(analyzer_json).collect::<Vec<_>>()
            });
            let active: Vec<&Analyzer> = analyzers
                .iter()
                .filter(|a| a.is_active_external())
                .collect();
            if let Some(first) = active.first() {
                Outcome::pass(
                    region,
                    resource,
                    format!(
                        "IAM Access Analyzer analyzer {} ({} zone of trust) analyzes external access in {region}.",
                        first.name,
                        first.kind.to_lowercase()
                    ),
                )
            } else if analyzers.is_empty() {
                Outcome::fail(
                    region,
                    resource,
                    format!("IAM Access Analyzer has no analyzer in {region}."),
                )
            } else {
                let why: Vec<String> = analyzers.iter().map(analyzer_shortfall).collect();
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "No active external access analyzer in {region}: {}.",
                        why.join("; ")
                    ),
                )
            }
            .with_evidence(evidence)
        },
    )
}

/// GuardDuty in every region: an ENABLED detector. A detector whose status could not be read
/// leaves the region undecided (ERROR) unless another detector is known to be enabled.
pub fn guardduty_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    per_region_account(
        ctx,
        "GuardDuty data",
        |r| r.guardduty.as_ref(),
        |region, detectors: &Vec<GuardDutyDetector>| {
            let resource = ctx.account_resource();
            let evidence = json!({
                "detectors": detectors
                    .iter()
                    .map(|d| match &d.status {
                        Ok(s) => json!({ "DetectorId": d.id, "Status": s }),
                        Err(e) => json!({ "DetectorId": d.id, "StatusError": e }),
                    })
                    .collect::<Vec<_>>()
            });
            if let Some(on) = detectors
                .iter()
                .find(|d| matches!(&d.status, Ok(s) if s == "ENABLED"))
            {
                return Outcome::pass(
                    region,
                    resource,
                    format!("GuardDuty detector {} is enabled in {region}.", on.id),
                )
                .with_evidence(evidence);
            }
            if let Some((d, e)) = detectors
                .iter()
                .find_map(|d| d.status.as_ref().err().map(|e| (d, e)))
            {
                return Outcome::new(
                    region,
                    resource,
                    Status::Error,
                    format!(
                        "could not evaluate: the status of GuardDuty detector {} in {region} could not be read: {e}",
                        d.id
                    ),
                )
                .with_evidence(evidence);
            }
            if detectors.is_empty() {
                Outcome::fail(
                    region,
                    resource,
                    format!("GuardDuty has no detector in {region}, so it is not enabled there."),
                )
            } else {
                let states: Vec<String> = detectors
                    .iter()
                    .map(|d| {
                        let s = d.status.as_deref().unwrap_or_default();
                        format!(
                            "{} is {}",
                            d.id,
                            if s.is_empty() { "in no status" } else { s }
                        )
                    })
                    .collect();
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "GuardDuty is not enabled in {region}: detector {}.",
                        states.join(", detector ")
                    ),
                )
            }
            .with_evidence(evidence)
        },
    )
}

fn rds_resource(ctx: &CheckContext, region: &str, i: &DbInstance) -> Resource {
    let id = if i.arn.is_empty() {
        format!(
            "arn:{}:rds:{region}:{}:db:{}",
            ctx.account.partition, ctx.account.account_id, i.id
        )
    } else {
        i.arn.clone()
    };
    Resource {
        kind: "AwsRdsDbInstance".to_string(),
        id,
        name: i.id.clone(),
    }
}

fn rds_json(i: &DbInstance) -> serde_json::Value {
    json!({
        "DBInstanceIdentifier": i.id,
        "Engine": i.engine,
        "StorageEncrypted": i.storage_encrypted,
        "AutoMinorVersionUpgrade": i.auto_minor_version_upgrade,
        "PubliclyAccessible": i.publicly_accessible,
        "MultiAZ": i.multi_az,
        "DBClusterIdentifier": i.cluster_id,
    })
}

/// One outcome per RDS DB instance: PASS when `good`, else FAIL.
fn rds_instances(
    ctx: &CheckContext,
    good: impl Fn(&DbInstance) -> bool,
    pass: impl Fn(&DbInstance) -> String,
    fail: impl Fn(&DbInstance) -> String,
) -> Vec<Outcome> {
    per_resource(
        ctx,
        "RDS data",
        |r| r.rds.as_ref().map(|e| &e.instances),
        |region, _, i: &DbInstance| {
            let resource = rds_resource(ctx, region, i);
            if good(i) {
                Outcome::pass(region, resource, pass(i))
            } else {
                Outcome::fail(region, resource, fail(i))
            }
            .with_evidence(rds_json(i))
        },
        |region| format!("No RDS DB instances in {region}."),
    )
}

/// Encryption at rest of each DB instance. An Aurora instance's StorageEncrypted reports its
/// cluster's encryption (Aurora storage belongs to the cluster), so it needs no special case.
pub fn rds_storage_encrypted(ctx: &CheckContext) -> Vec<Outcome> {
    rds_instances(
        ctx,
        |i| i.storage_encrypted,
        |i| {
            format!(
                "RDS DB instance {} ({}) encrypts its storage at rest.",
                i.id, i.engine
            )
        },
        |i| {
            format!(
                "RDS DB instance {} ({}) does not encrypt its storage at rest.",
                i.id, i.engine
            )
        },
    )
}

pub fn rds_auto_minor_version_upgrade(ctx: &CheckContext) -> Vec<Outcome> {
    rds_instances(
        ctx,
        |i| i.auto_minor_version_upgrade,
        |i| {
            format!(
                "RDS DB instance {} ({}) applies minor engine version upgrades automatically.",
                i.id, i.engine
            )
        },
        |i| {
            format!(
                "RDS DB instance {} ({}) has automatic minor version upgrades turned off.",
                i.id, i.engine
            )
        },
    )
}

pub fn rds_not_publicly_accessible(ctx: &CheckContext) -> Vec<Outcome> {
    rds_instances(
        ctx,
        |i| !i.publicly_accessible,
        |i| {
            format!(
                "RDS DB instance {} ({}) is not publicly accessible.",
                i.id, i.engine
            )
        },
        |i| {
            format!(
                "RDS DB instance {} ({}) is publicly accessible: its endpoint resolves to a public IP address.",
                i.id, i.engine
            )
        },
    )
}

/// Multi-AZ per DB instance. An instance in a cluster (Aurora, or a Multi-AZ DB cluster) reports
/// MultiAZ false whatever the cluster's layout, so its cluster's MultiAZ decides.
pub fn rds_multi_az(ctx: &CheckContext) -> Vec<Outcome> {
    per_resource(
        ctx,
        "RDS data",
        |r| r.rds.as_ref().map(|e| &e.instances),
        |region, evidence, i: &DbInstance| {
            let resource = rds_resource(ctx, region, i);
            let Some(cluster_id) = &i.cluster_id else {
                return if i.multi_az {
                    Outcome::pass(
                        region,
                        resource,
                        format!(
                            "RDS DB instance {} ({}) is a Multi-AZ deployment.",
                            i.id, i.engine
                        ),
                    )
                } else {
                    Outcome::fail(
                        region,
                        resource,
                        format!(
                            "RDS DB instance {} ({}) runs in a single Availability Zone.",
                            i.id, i.engine
                        ),
                    )
                }
                .with_evidence(rds_json(i));
            };
            let clusters = match evidence.rds.as_ref().map(|e| &e.clusters) {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Outcome::error(region, resource, e),
                None => return Outcome::not_collected(region, resource, "RDS cluster data"),
            };
            let Some(cluster) = clusters.iter().find(|c| &c.id == cluster_id) else {
                return Outcome::new(
                    region,
                    resource,
                    Status::Error,
                    format!(
                        "could not evaluate: RDS DB instance {} belongs to cluster {cluster_id}, which DescribeDBClusters did not list.",
                        i.id
                    ),
                )
                .with_evidence(rds_json(i));
            };
            let evidence = json!({
                "instance": rds_json(i),
                "cluster": {
                    "DBClusterIdentifier": cluster.id,
                    "DBClusterArn": cluster.arn,
                    "Engine": cluster.engine,
                    "MultiAZ": cluster.multi_az,
                },
            });
            if cluster.multi_az {
                Outcome::pass(
                    region,
                    resource,
                    format!(
                        "RDS DB instance {} belongs to cluster {cluster_id} ({}), which spans multiple Availability Zones.",
                        i.id, cluster.engine
                    ),
                )
            } else {
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "RDS DB instance {} belongs to cluster {cluster_id} ({}), which is not Multi-AZ: its instances are all in one Availability Zone.",
                        i.id, cluster.engine
                    ),
                )
            }
            .with_evidence(evidence)
        },
        |region| format!("No RDS DB instances in {region}."),
    )
}

fn efs_resource(ctx: &CheckContext, region: &str, f: &EfsFileSystem) -> Resource {
    let id = if f.arn.is_empty() {
        format!(
            "arn:{}:elasticfilesystem:{region}:{}:file-system/{}",
            ctx.account.partition, ctx.account.account_id, f.id
        )
    } else {
        f.arn.clone()
    };
    Resource {
        kind: "AwsEfsFileSystem".to_string(),
        id,
        name: efs_name(f),
    }
}

fn efs_name(f: &EfsFileSystem) -> String {
    match &f.name {
        Some(n) if !n.is_empty() => format!("{} ({n})", f.id),
        _ => f.id.clone(),
    }
}

pub fn efs_encrypted(ctx: &CheckContext) -> Vec<Outcome> {
    per_resource(
        ctx,
        "EFS data",
        |r| r.efs.as_ref(),
        |region, _, f: &EfsFileSystem| {
            let resource = efs_resource(ctx, region, f);
            let evidence = json!({
                "FileSystemId": f.id,
                "Name": f.name,
                "Encrypted": f.encrypted,
                "KmsKeyId": f.kms_key_id,
            });
            if f.encrypted {
                let key = f
                    .kms_key_id
                    .as_deref()
                    .map(|k| format!(" with KMS key {k}"))
                    .unwrap_or_default();
                Outcome::pass(
                    region,
                    resource,
                    format!("EFS file system {} is encrypted at rest{key}.", efs_name(f)),
                )
            } else {
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "EFS file system {} is not encrypted at rest (encryption can only be chosen when a file system is created).",
                        efs_name(f)
                    ),
                )
            }
            .with_evidence(evidence)
        },
        |region| format!("No EFS file systems in {region}."),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::{expect, one, run_check};
    use crate::evidence::{
        AccountEvidence, Analyzer, DbCluster, DbInstance, EfsFileSystem, GuardDutyDetector,
        RegionEvidence,
    };
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const US: &str = "us-east-1";
    const EU: &str = "eu-west-1";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[US, EU], now())
    }

    fn region<'a>(a: &'a mut AccountEvidence, r: &str) -> &'a mut RegionEvidence {
        a.regional.get_mut(r).unwrap()
    }

    fn in_region(findings: &[Finding], r: &str) -> Vec<Finding> {
        findings.iter().filter(|f| f.region == r).cloned().collect()
    }

    fn named<'a>(findings: &'a [Finding], name: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.resource.name == name)
            .unwrap_or_else(|| panic!("no finding for {name}: {findings:#?}"))
    }

    fn no_region(check: &str) {
        let mut a = account();
        a.regional.clear();
        one(
            run_check(check, a, &[], now()),
            Status::NotApplicable,
            &["No region was scanned"],
        );
    }

    const CHECKS: [&str; 7] = [
        "accessanalyzer_enabled",
        "rds_storage_encrypted",
        "rds_auto_minor_version_upgrade",
        "rds_not_publicly_accessible",
        "rds_multi_az",
        "efs_encrypted",
        "guardduty_enabled",
    ];

    #[test]
    fn the_compliant_account_passes_or_is_not_applicable() {
        for check in CHECKS {
            let f = run_check(check, account(), &[], now());
            assert_eq!(f.len(), 2, "{check}: one finding per region: {f:#?}");
            for f in &f {
                assert!(
                    matches!(f.status, Status::Pass | Status::NotApplicable),
                    "{check}: {f:#?}"
                );
            }
            no_region(check);
        }
    }

    fn analyzer(name: &str, kind: &str, status: &str) -> Analyzer {
        Analyzer {
            name: name.to_string(),
            arn: format!("arn:aws:access-analyzer:{US}:{ACCT}:analyzer/{name}"),
            kind: kind.to_string(),
            status: status.to_string(),
        }
    }

    #[test]
    fn access_analyzer_needs_an_active_external_analyzer_in_every_region() {
        let run = |analyzers: Vec<Analyzer>| {
            let mut a = account();
            region(&mut a, US).access_analyzers = Some(Ok(analyzers));
            let f = run_check("accessanalyzer_enabled", a, &[], now());
            expect(
                &in_region(&f, EU)[0],
                Status::Pass,
                &["external-access", EU],
            );
            one(in_region(&f, US), Status::Pass, &[])
        };
        let f = {
            let mut a = account();
            region(&mut a, US).access_analyzers = Some(Ok(vec![]));
            let f = run_check("accessanalyzer_enabled", a, &[], now());
            one(in_region(&f, US), Status::Fail, &["no analyzer", US])
        };
        assert_eq!(f.resource.kind, "AwsAccount");
        assert_eq!(f.evidence["analyzers"], serde_json::json!([]));

        // Unused-access analyzers and an external analyzer still being created do not count.
        let mut a = account();
        region(&mut a, US).access_analyzers = Some(Ok(vec![
            analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE"),
            analyzer("new-one", "ACCOUNT", "CREATING"),
            analyzer("broken", "ORGANIZATION", "FAILED"),
        ]));
        let f = run_check("accessanalyzer_enabled", a, &[], now());
        let f = one(
            in_region(&f, US),
            Status::Fail,
            &[
                "unused is an ACCOUNT_UNUSED_ACCESS analyzer, not an external access analyzer",
                "new-one (ACCOUNT) is CREATING, not ACTIVE",
                "broken (ORGANIZATION) is FAILED, not ACTIVE",
            ],
        );
        assert_eq!(f.evidence["analyzers"][0]["type"], "ACCOUNT_UNUSED_ACCESS");

        // An active organization analyzer counts, whatever else exists.
        let f = run(vec![
            analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE"),
            analyzer("org", "ORGANIZATION", "ACTIVE"),
        ]);
        expect(
            &f,
            Status::Pass,
            &["analyzer org", "organization zone of trust"],
        );
    }

    #[test]
    fn access_analyzer_errors_and_missing_evidence() {
        let mut a = account();
        region(&mut a, US).access_analyzers =
            Some(Err(denied("access-analyzer:ListAnalyzers", US, ACCT)));
        region(&mut a, EU).access_analyzers = None;
        let f = run_check("accessanalyzer_enabled", a, &[], now());
        expect(
            &in_region(&f, US)[0],
            Status::Error,
            &["access-analyzer:ListAnalyzers"],
        );
        expect(
            &in_region(&f, EU)[0],
            Status::Error,
            &["no IAM Access Analyzer data"],
        );
    }

    fn detector(id: &str, status: &str) -> GuardDutyDetector {
        GuardDutyDetector {
            id: id.to_string(),
            status: Ok(status.to_string()),
        }
    }

    fn guardduty_in_us(detectors: Vec<GuardDutyDetector>) -> Finding {
        let mut a = account();
        region(&mut a, US).guardduty = Some(Ok(detectors));
        let f = run_check("guardduty_enabled", a, &[], now());
        expect(&in_region(&f, EU)[0], Status::Pass, &["enabled", EU]);
        in_region(&f, US).remove(0)
    }

    #[test]
    fn guardduty_needs_an_enabled_detector_in_every_region() {
        expect(&guardduty_in_us(vec![]), Status::Fail, &["no detector", US]);
        let f = guardduty_in_us(vec![detector("d-off", "DISABLED")]);
        expect(&f, Status::Fail, &["not enabled", "d-off is DISABLED"]);
        assert_eq!(f.evidence["detectors"][0]["Status"], "DISABLED");
        expect(
            &guardduty_in_us(vec![
                detector("d-off", "DISABLED"),
                detector("d-on", "ENABLED"),
            ]),
            Status::Pass,
            &["d-on"],
        );
        // A detector whose status is unknown: ERROR, unless another is known to be enabled.
        let unknown = GuardDutyDetector {
            id: "d-unknown".to_string(),
            status: Err(denied("guardduty:GetDetector", US, ACCT)),
        };
        let f = guardduty_in_us(vec![detector("d-off", "DISABLED"), unknown.clone()]);
        expect(
            &f,
            Status::Error,
            &["d-unknown", "guardduty:GetDetector", "could not evaluate"],
        );
        assert!(
            f.evidence["detectors"][1]["StatusError"].is_object(),
            "{f:#?}"
        );
        expect(
            &guardduty_in_us(vec![unknown, detector("d-on", "ENABLED")]),
            Status::Pass,
            &["d-on"],
        );
    }

    #[test]
    fn guardduty_errors_and_missing_evidence() {
        let mut a = account();
        region(&mut a, US).guardduty = Some(Err(denied("guardduty:ListDetectors", US, ACCT)));
        region(&mut a, EU).guardduty = None;
        let f = run_check("guardduty_enabled", a, &[], now());
        expect(
            &in_region(&f, US)[0],
            Status::Error,
            &["guardduty:ListDetectors"],
        );
        expect(&in_region(&f, EU)[0], Status::Error, &["no GuardDuty data"]);
    }

    /// An encrypted, patched, private, Multi-AZ instance.
    fn db(id: &str) -> DbInstance {
        DbInstance {
            id: id.to_string(),
            arn: format!("arn:aws:rds:{US}:{ACCT}:db:{id}"),
            engine: "postgres".to_string(),
            storage_encrypted: true,
            auto_minor_version_upgrade: true,
            publicly_accessible: false,
            multi_az: true,
            cluster_id: None,
        }
    }

    fn with_instances(instances: Vec<DbInstance>) -> AccountEvidence {
        let mut a = account();
        region(&mut a, US).rds.as_mut().unwrap().instances = Ok(instances);
        a
    }

    /// Runs `check` on a good instance and one broken by `breaks`, in us-east-1, plus the
    /// ERROR, NOT_APPLICABLE and not-collected regions.
    fn rds_instance_check(check: &str, breaks: impl Fn(&mut DbInstance), fail_words: &[&str]) {
        let mut bad = db("bad-db");
        breaks(&mut bad);
        let f = run_check(check, with_instances(vec![db("good-db"), bad]), &[], now());
        one(
            in_region(&f, EU),
            Status::NotApplicable,
            &["No RDS DB instances in eu-west-1."],
        );
        let us = in_region(&f, US);
        assert_eq!(us.len(), 2, "{us:#?}");
        let good = named(&us, "good-db");
        expect(good, Status::Pass, &["good-db"]);
        assert_eq!(good.resource.kind, "AwsRdsDbInstance");
        assert_eq!(
            good.resource.id,
            format!("arn:aws:rds:{US}:{ACCT}:db:good-db")
        );
        let bad = named(&us, "bad-db");
        expect(bad, Status::Fail, fail_words);
        assert_eq!(bad.evidence["DBInstanceIdentifier"], "bad-db");

        let mut a = account();
        region(&mut a, US).rds.as_mut().unwrap().instances =
            Err(denied("rds:DescribeDBInstances", US, ACCT));
        region(&mut a, EU).rds = None;
        let f = run_check(check, a, &[], now());
        one(
            in_region(&f, US),
            Status::Error,
            &["rds:DescribeDBInstances"],
        );
        one(in_region(&f, EU), Status::Error, &["no RDS data"]);
    }

    #[test]
    fn rds_storage_must_be_encrypted() {
        rds_instance_check(
            "rds_storage_encrypted",
            |i| i.storage_encrypted = false,
            &["bad-db", "does not encrypt"],
        );
    }

    #[test]
    fn rds_minor_version_upgrades_must_be_automatic() {
        rds_instance_check(
            "rds_auto_minor_version_upgrade",
            |i| i.auto_minor_version_upgrade = false,
            &["bad-db", "turned off"],
        );
    }

    #[test]
    fn rds_instances_must_not_be_public() {
        rds_instance_check(
            "rds_not_publicly_accessible",
            |i| i.publicly_accessible = true,
            &["bad-db", "publicly accessible"],
        );
    }

    #[test]
    fn rds_standalone_instances_must_be_multi_az() {
        rds_instance_check(
            "rds_multi_az",
            |i| i.multi_az = false,
            &["bad-db", "single Availability Zone"],
        );
    }

    fn aurora(id: &str, cluster: &str) -> DbInstance {
        DbInstance {
            engine: "aurora-postgresql".to_string(),
            // Aurora instances always report MultiAZ false: the cluster decides.
            multi_az: false,
            cluster_id: Some(cluster.to_string()),
            ..db(id)
        }
    }

    fn cluster(id: &str, multi_az: bool) -> DbCluster {
        DbCluster {
            id: id.to_string(),
            arn: format!("arn:aws:rds:{US}:{ACCT}:cluster:{id}"),
            engine: "aurora-postgresql".to_string(),
            storage_encrypted: true,
            multi_az,
        }
    }

    #[test]
    fn rds_cluster_members_take_the_clusters_multi_az() {
        let mut a = with_instances(vec![
            aurora("spread-1", "spread"),
            aurora("single-1", "single"),
            aurora("orphan-1", "unlisted"),
            db("standalone"),
        ]);
        region(&mut a, US).rds.as_mut().unwrap().clusters =
            Ok(vec![cluster("spread", true), cluster("single", false)]);
        let f = in_region(&run_check("rds_multi_az", a, &[], now()), US);
        assert_eq!(f.len(), 4, "{f:#?}");
        let spread = named(&f, "spread-1");
        expect(
            spread,
            Status::Pass,
            &["spread-1", "cluster spread", "multiple"],
        );
        assert_eq!(spread.evidence["cluster"]["MultiAZ"], true);
        expect(
            named(&f, "single-1"),
            Status::Fail,
            &["cluster single", "not Multi-AZ"],
        );
        expect(
            named(&f, "orphan-1"),
            Status::Error,
            &["could not evaluate", "unlisted", "did not list"],
        );
        expect(named(&f, "standalone"), Status::Pass, &["Multi-AZ"]);

        // Clusters unreadable: members are ERROR, standalone instances are still evaluated.
        let mut a = with_instances(vec![aurora("spread-1", "spread"), db("standalone")]);
        region(&mut a, US).rds.as_mut().unwrap().clusters =
            Err(denied("rds:DescribeDBClusters", US, ACCT));
        let f = in_region(&run_check("rds_multi_az", a, &[], now()), US);
        expect(
            named(&f, "spread-1"),
            Status::Error,
            &["rds:DescribeDBClusters"],
        );
        expect(named(&f, "standalone"), Status::Pass, &[]);
    }

    #[test]
    fn aurora_instances_report_their_clusters_encryption() {
        let mut unencrypted = aurora("aurora-1", "plain");
        unencrypted.storage_encrypted = false;
        let f = run_check(
            "rds_storage_encrypted",
            with_instances(vec![unencrypted]),
            &[],
            now(),
        );
        one(
            in_region(&f, US),
            Status::Fail,
            &["aurora-1", "aurora-postgresql"],
        );
    }

    fn fs(id: &str, name: Option<&str>, encrypted: bool) -> EfsFileSystem {
        EfsFileSystem {
            id: id.to_string(),
            arn: format!("arn:aws:elasticfilesystem:{US}:{ACCT}:file-system/{id}"),
            name: name.map(str::to_string),
            encrypted,
            kms_key_id: encrypted.then(|| format!("arn:aws:kms:{US}:{ACCT}:key/efs")),
        }
    }

    #[test]
    fn efs_file_systems_must_be_encrypted() {
        let mut a = account();
        region(&mut a, US).efs = Some(Ok(vec![
            fs("fs-0good", Some("shared"), true),
            fs("fs-0plain", None, false),
        ]));
        let f = run_check("efs_encrypted", a, &[], now());
        one(
            in_region(&f, EU),
            Status::NotApplicable,
            &["No EFS file systems in eu-west-1."],
        );
        let us = in_region(&f, US);
        let good = named(&us, "fs-0good (shared)");
        expect(good, Status::Pass, &["fs-0good (shared)", "key/efs"]);
        assert_eq!(good.resource.kind, "AwsEfsFileSystem");
        assert_eq!(
            good.resource.id,
            format!("arn:aws:elasticfilesystem:{US}:{ACCT}:file-system/fs-0good")
        );
        let bad = named(&us, "fs-0plain");
        expect(bad, Status::Fail, &["fs-0plain", "not encrypted"]);
        assert_eq!(bad.evidence["Encrypted"], false);

        let mut a = account();
        region(&mut a, US).efs = Some(Err(denied(
            "elasticfilesystem:DescribeFileSystems",
            US,
            ACCT,
        )));
        region(&mut a, EU).efs = None;
        let f = run_check("efs_encrypted", a, &[], now());
        one(
            in_region(&f, US),
            Status::Error,
            &["elasticfilesystem:DescribeFileSystems"],
        );
        one(in_region(&f, EU), Status::Error, &["no EFS data"]);
    }
}
