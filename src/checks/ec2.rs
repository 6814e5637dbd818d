//! EC2 and VPC checks: EBS default encryption, security groups and network ACLs open to the
//! world on administration ports, default security groups, IMDSv2, VPC flow logs.

use serde_json::json;

use super::{CheckContext, Outcome};
use crate::evidence::{Collected, Ec2Evidence, IpRule, NetworkAcl, SecurityGroup};
use crate::model::Resource;

/// The remote administration ports of the CIS benchmark: SSH and RDP.
pub const ADMIN_PORTS: [i32; 2] = [22, 3389];
/// CIFS / SMB.
pub const CIFS_PORT: i32 = 445;

fn ec2_resource(
    ctx: &CheckContext,
    region: &str,
    kind: &str,
    arn_type: &str,
    id: &str,
    name: &str,
) -> Resource {
    Resource {
        kind: kind.to_string(),
        id: format!(
            "arn:{}:ec2:{region}:{}:{arn_type}/{id}",
            ctx.account.partition, ctx.account.account_id
        ),
        name: name.to_string(),
    }
}

/// One outcome per item of an EC2 list in every region; ERROR where the list could not be read,
/// NOT_APPLICABLE where no item is in scope (`each` returns `None` for items out of scope).
fn per_region<T>(
    ctx: &CheckContext,
    list: impl Fn(&Ec2Evidence) -> &Collected<Vec<T>>,
    mut each: impl FnMut(&str, &T) -> Option<Outcome>,
    nothing: &str,
) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let Some(ec2) = &evidence.ec2 else {
            out.push(Outcome::not_collected(
                region,
                ctx.account_resource(),
                "EC2 data",
            ));
            continue;
        };
        match list(ec2) {
            Err(e) => out.push(Outcome::error(region, ctx.account_resource(), e)),
            Ok(items) => {
                let before = out.len();
                out.extend(items.iter().filter_map(|i| each(region, i)));
                if out.len() == before {
                    out.push(Outcome::not_applicable(
                        region,
                        ctx.account_resource(),
                        nothing,
                    ));
                }
            }
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

pub fn ebs_default_encryption(ctx: &CheckContext) -> Vec<Outcome> {
    super::per_region_setting(
        ctx,
        "EC2 data",
        "EbsEncryptionByDefault",
        |r| r.ec2.as_ref().map(|e| &e.ebs_encryption_by_default),
        |region| format!("New EBS volumes in {region} are encrypted by default."),
        |region| format!("EBS encryption by default is off in {region}."),
    )
}

/// Describes the rules of `group` that admit `ports` from `any` (e.g. `0.0.0.0/0`).
fn open_rules(rules: &[IpRule], ports: &[i32], ipv6: bool) -> Vec<String> {
    let any = if ipv6 { "::/0" } else { "0.0.0.0/0" };
    let mut found = Vec::new();
    for rule in rules {
        let ranges = if ipv6 {
            &rule.ipv6_ranges
        } else {
            &rule.ipv4_ranges
        };
        if !ranges.iter().any(|r| r == any) {
            continue;
        }
        for port in ports.iter().filter(|p| rule.admits_tcp_port(**p)) {
            let what = match (rule.protocol.as_str(), rule.from_port, rule.to_port) {
                ("-1" | "all", _, _) => "all traffic".to_string(),
                (_, Some(f), Some(t)) if f != t => format!("TCP {f}-{t}"),
                _ => "TCP".to_string(),
            };
            found.push(format!("port {port} from {any} ({what})"));
        }
    }
    found
}

fn sg_resource(ctx: &CheckContext, region: &str, g: &SecurityGroup) -> Resource {
    let name = format!("{} ({})", g.id, g.name);
    ec2_resource(
        ctx,
        region,
        "AwsEc2SecurityGroup",
        "security-group",
        &g.id,
        &name,
    )
}

/// One outcome per security group: FAIL when it admits `ports` from anywhere over IPv4 and/or
/// IPv6 (as `families` says).
fn security_group_ports(
    ctx: &CheckContext,
    ports: &[i32],
    families: &[bool],
    what: &str,
) -> Vec<Outcome> {
    per_region(
        ctx,
        |e| &e.security_groups,
        |region, g: &SecurityGroup| {
            let open: Vec<String> = families
                .iter()
                .flat_map(|ipv6| open_rules(&g.ingress, ports, *ipv6))
                .collect();
            let evidence =
                json!({ "GroupId": g.id, "GroupName": g.name, "VpcId": g.vpc_id, "open": open });
            Some(
                if open.is_empty() {
                    Outcome::pass(
                        region,
                        sg_resource(ctx, region, g),
                        format!("Security group {} admits no {what} from anywhere.", g.id),
                    )
                } else {
                    Outcome::fail(
                        region,
                        sg_resource(ctx, region, g),
                        format!(
                            "Security group {} ({}) admits {}.",
                            g.id,
                            g.name,
                            open.join(", ")
                        ),
                    )
                }
                .with_evidence(evidence),
            )
        },
        "No security group in this region.",
    )
}

pub fn sg_admin_ports_ipv4(ctx: &CheckContext) -> Vec<Outcome> {
    security_group_ports(ctx, &ADMIN_PORTS, &[false], "SSH or RDP")
}

pub fn sg_admin_ports_ipv6(ctx: &CheckContext) -> Vec<Outcome> {
    security_group_ports(ctx, &ADMIN_PORTS, &[true], "SSH or RDP")
}

pub fn sg_cifs_restricted(ctx: &CheckContext) -> Vec<Outcome> {
    security_group_ports(ctx, &[CIFS_PORT], &[false, true], "CIFS (445)")
}

/// The ingress entries of an ACL that decide traffic from anywhere to `port`: evaluated in
/// rule-number order, the first matching entry wins.
pub fn nacl_verdict(acl: &NetworkAcl, port: i32) -> Option<(i32, bool)> {
    let mut ingress: Vec<_> = acl.entries.iter().filter(|e| !e.egress).collect();
    ingress.sort_by_key(|e| e.rule_number);
    ingress
        .into_iter()
        .find(|e| e.from_anywhere() && e.covers_tcp_port(port))
        .map(|e| (e.rule_number, e.allow))
}

pub fn nacl_admin_ports(ctx: &CheckContext) -> Vec<Outcome> {
    per_region(
        ctx,
        |e| &e.network_acls,
        |region, acl: &NetworkAcl| {
            let resource = ec2_resource(
                ctx,
                region,
                "AwsEc2NetworkAcl",
                "network-acl",
                &acl.id,
                &acl.id,
            );
            let open: Vec<String> = ADMIN_PORTS
                .iter()
                .filter_map(|p| match nacl_verdict(acl, *p) {
                    Some((rule, true)) => {
                        Some(format!("port {p} (rule {rule} allows it from anywhere)"))
                    }
                    _ => None,
                })
                .collect();
            Some(if open.is_empty() {
                Outcome::pass(
                    region,
                    resource,
                    format!("Network ACL {} denies SSH and RDP from anywhere.", acl.id),
                )
            } else {
                Outcome::fail(
                    region,
                    resource,
                    format!("Network ACL {} admits {}.", acl.id, open.join(", ")),
                )
            })
        },
        "No network ACL in this region.",
    )
}

pub fn default_sg_restricts_all(ctx: &CheckContext) -> Vec<Outcome> {
    per_region(
        ctx,
        |e| &e.security_groups,
        |region, g: &SecurityGroup| {
            if g.name != "default" {
                return None;
            }
            let resource = sg_resource(ctx, region, g);
            let vpc = g.vpc_id.as_deref().unwrap_or("?");
            Some(if g.ingress.is_empty() && g.egress.is_empty() {
                Outcome::pass(
                    region,
                    resource,
                    format!("The default security group of {vpc} has no rules."),
                )
            } else {
                Outcome::fail(
                    region,
                    resource,
                    format!(
                        "The default security group of {vpc} has {} inbound and {} outbound rule(s); it should have none.",
                        g.ingress.len(),
                        g.egress.len()
                    ),
                )
            })
        },
        "No VPC (so no default security group) in this region.",
    )
}

pub fn imdsv2_required(ctx: &CheckContext) -> Vec<Outcome> {
    per_region(
        ctx,
        |e| &e.instances,
        |region, i| {
            if matches!(i.state.as_str(), "terminated" | "shutting-down") {
                return None;
            }
            let resource = ec2_resource(ctx, region, "AwsEc2Instance", "instance", &i.id, &i.id);
            let evidence = json!({ "HttpTokens": i.http_tokens, "HttpEndpoint": i.http_endpoint });
            Some(
                if i.http_endpoint.as_deref() == Some("disabled") {
                    Outcome::pass(
                        region,
                        resource,
                        format!("Instance {} has the metadata service disabled.", i.id),
                    )
                } else if i.http_tokens.as_deref() == Some("required") {
                    Outcome::pass(
                        region,
                        resource,
                        format!("Instance {} requires IMDSv2.", i.id),
                    )
                } else {
                    Outcome::fail(
                        region,
                        resource,
                        format!(
                            "Instance {} allows IMDSv1 (HttpTokens {}).",
                            i.id,
                            i.http_tokens.as_deref().unwrap_or("not reported")
                        ),
                    )
                }
                .with_evidence(evidence),
            )
        },
        "No instance in this region.",
    )
}

pub fn vpc_flow_logs_enabled(ctx: &CheckContext) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (region, evidence) in &ctx.account.regional {
        let Some(ec2) = &evidence.ec2 else {
            out.push(Outcome::not_collected(
                region,
                ctx.account_resource(),
                "EC2 data",
            ));
            continue;
        };
        let (vpcs, logs) = match (&ec2.vpcs, &ec2.flow_logs) {
            (Err(e), _) | (_, Err(e)) => {
                out.push(Outcome::error(region, ctx.account_resource(), e));
                continue;
            }
            (Ok(v), Ok(l)) => (v, l),
        };
        if vpcs.is_empty() {
            out.push(Outcome::not_applicable(
                region,
                ctx.account_resource(),
                "No VPC in this region.",
            ));
        }
        for vpc in vpcs {
            let resource = ec2_resource(ctx, region, "AwsEc2Vpc", "vpc", &vpc.id, &vpc.id);
            let active: Vec<&str> = logs
                .iter()
                .filter(|l| {
                    l.resource_id == vpc.id
                        && l.status == "ACTIVE"
                        && matches!(l.traffic_type.as_str(), "ALL" | "REJECT")
                })
                .map(|l| l.id.as_str())
                .collect();
            out.push(
                if active.is_empty() {
                    Outcome::fail(
                        region,
                        resource,
                        format!(
                            "VPC {} has no active flow log capturing rejected traffic.",
                            vpc.id
                        ),
                    )
                } else {
                    Outcome::pass(
                        region,
                        resource,
                        format!("VPC {} has flow log {}.", vpc.id, active.join(", ")),
                    )
                }
                .with_evidence(json!({ "flow_logs": active })),
            );
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

pub fn instance_roles(ctx: &CheckContext) -> Vec<Outcome> {
    per_region(
        ctx,
        |e| &e.instances,
        |region, i| {
            if matches!(i.state.as_str(), "terminated" | "shutting-down") {
                return None;
            }
            let resource = ec2_resource(ctx, region, "AwsEc2Instance", "instance", &i.id, &i.id);
            Some(match &i.instance_profile {
                Some(profile) => Outcome::pass(region, resource, format!("Instance {} runs with instance profile {profile}.", i.id)),
                None => Outcome::fail(
                    region,
                    resource,
                    format!("Instance {} has no instance profile: software on it needs long-lived keys to call AWS.", i.id),
                ),
            })
        },
        "No instance in this region.",
    )
}

#[cfg(test)]
mod role_tests {
    use chrono::{DateTime, Utc};

    use crate::checks::testing::run_check;
    use crate::evidence::Instance;
    use crate::model::Status;
    use crate::testkit::*;

    const ACCT: &str = "111122223333";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    #[test]
    fn instances_need_an_instance_profile() {
        let mut a = compliant_account(ACCT, &["us-east-1", "eu-west-1"], now());
        let instance = |id: &str, state: &str, profile: Option<&str>| Instance {
            id: id.into(),
            state: state.into(),
            http_tokens: Some("required".into()),
            http_endpoint: Some("enabled".into()),
            instance_profile: profile.map(str::to_string),
        };
        a.regional
            .get_mut("us-east-1")
            .unwrap()
            .ec2
            .as_mut()
            .unwrap()
            .instances = Ok(vec![
            instance(
                "i-role",
                "running",
                Some("arn:aws:iam::111122223333:instance-profile/app"),
            ),
            instance("i-keys", "stopped", None),
            instance("i-gone", "terminated", None),
        ]);
        a.regional
            .get_mut("eu-west-1")
            .unwrap()
            .ec2
            .as_mut()
            .unwrap()
            .instances = Err(denied("ec2:DescribeInstances", "eu-west-1", ACCT));
        let f = run_check("ec2_instance_roles", a, &[], now());
        let of = |id: &str| {
            f.iter()
                .find(|f| f.resource.id.ends_with(id))
                .map(|f| f.status)
        };
        assert_eq!(of("instance/i-role"), Some(Status::Pass));
        assert_eq!(of("instance/i-keys"), Some(Status::Fail));
        assert_eq!(of("instance/i-gone"), None);
        assert!(f
            .iter()
            .any(|f| f.region == "eu-west-1" && f.status == Status::Error));
        let none = compliant_account(ACCT, &["us-east-1"], now());
        assert_eq!(
            run_check("ec2_instance_roles", none, &[], now())[0].status,
            Status::NotApplicable
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::checks::testing::run_check;
    use crate::evidence::{AccountEvidence, Instance, NaclEntry};
    use crate::model::{Finding, Status};
    use crate::testkit::*;

    const ACCT: &str = "111122223333";
    const HOME: &str = "us-east-1";

    fn now() -> DateTime<Utc> {
        at("2026-11-01T09:00:00Z")
    }

    fn account() -> AccountEvidence {
        compliant_account(ACCT, &[HOME, "eu-west-1"], now())
    }

    fn ec2<'a>(a: &'a mut AccountEvidence, region: &str) -> &'a mut Ec2Evidence {
        a.regional.get_mut(region).unwrap().ec2.as_mut().unwrap()
    }

    fn statuses(findings: &[Finding]) -> Vec<(String, Status)> {
        findings
            .iter()
            .map(|f| (f.region.clone(), f.status))
            .collect()
    }

    fn group(id: &str, ingress: Vec<IpRule>) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: format!("web-{id}"),
            vpc_id: Some("vpc-us-east-1".into()),
            ingress,
            egress: vec![],
        }
    }

    fn tcp(from: i32, to: i32, v4: &[&str], v6: &[&str]) -> IpRule {
        IpRule {
            protocol: "tcp".into(),
            from_port: Some(from),
            to_port: Some(to),
            ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
            ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
            other_sources: vec![],
        }
    }

    fn all_traffic(v4: &[&str]) -> IpRule {
        IpRule {
            protocol: "-1".into(),
            ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn ebs_default_encryption_per_region() {
        let mut a = account();
        ec2(&mut a, "eu-west-1").ebs_encryption_by_default = Ok(false);
        let f = run_check("ec2_ebs_default_encryption", a, &[], now());
        assert_eq!(
            statuses(&f),
            [
                ("eu-west-1".into(), Status::Fail),
                (HOME.into(), Status::Pass)
            ]
        );
        let mut a = account();
        ec2(&mut a, HOME).ebs_encryption_by_default =
            Err(denied("ec2:GetEbsEncryptionByDefault", HOME, ACCT));
        let f = run_check("ec2_ebs_default_encryption", a, &[], now());
        assert!(f
            .iter()
            .any(|f| f.region == HOME && f.status == Status::Error));
        let mut a = account();
        a.regional.clear();
        assert_eq!(
            run_check("ec2_ebs_default_encryption", a, &[], now())[0].status,
            Status::NotApplicable
        );
    }

    #[test]
    fn admin_ports_from_anywhere_by_exact_port_range_and_all_traffic() {
        let cases = [
            (tcp(22, 22, &["0.0.0.0/0"], &[]), Status::Fail, "port 22"),
            (
                tcp(3000, 4000, &["0.0.0.0/0"], &[]),
                Status::Fail,
                "port 3389",
            ),
            (all_traffic(&["0.0.0.0/0"]), Status::Fail, "all traffic"),
            (tcp(22, 22, &["10.0.0.0/8"], &[]), Status::Pass, "admits no"),
            (
                tcp(443, 443, &["0.0.0.0/0"], &[]),
                Status::Pass,
                "admits no",
            ),
            (tcp(22, 22, &[], &["::/0"]), Status::Pass, "admits no"),
        ];
        for (rule, status, words) in cases {
            let mut a = account();
            ec2(&mut a, HOME).security_groups = Ok(vec![group("sg-1", vec![rule.clone()])]);
            let f = run_check("ec2_sg_admin_ports_ipv4", a, &[], now());
            let sg = f
                .iter()
                .find(|f| f.resource.id.ends_with("security-group/sg-1"))
                .unwrap();
            assert_eq!(sg.status, status, "{rule:?}: {}", sg.detail);
            assert!(sg.detail.contains(words), "{}", sg.detail);
        }
    }

    #[test]
    fn ipv6_and_cifs_rules() {
        let mut a = account();
        ec2(&mut a, HOME).security_groups = Ok(vec![
            group("sg-6", vec![tcp(3389, 3389, &[], &["::/0"])]),
            group("sg-smb", vec![tcp(445, 445, &["0.0.0.0/0"], &[])]),
        ]);
        let six = run_check("ec2_sg_admin_ports_ipv6", a.clone(), &[], now());
        assert_eq!(
            six.iter()
                .find(|f| f.resource.id.ends_with("sg-6"))
                .unwrap()
                .status,
            Status::Fail
        );
        assert_eq!(
            six.iter()
                .find(|f| f.resource.id.ends_with("sg-smb"))
                .unwrap()
                .status,
            Status::Pass
        );
        let cifs = run_check("ec2_sg_cifs_restricted", a, &[], now());
        assert_eq!(
            cifs.iter()
                .find(|f| f.resource.id.ends_with("sg-smb"))
                .unwrap()
                .status,
            Status::Fail
        );
        assert_eq!(
            cifs.iter()
                .find(|f| f.resource.id.ends_with("sg-6"))
                .unwrap()
                .status,
            Status::Pass
        );
    }

    #[test]
    fn security_group_errors_and_empty_regions() {
        let mut a = account();
        ec2(&mut a, HOME).security_groups = Err(denied("ec2:DescribeSecurityGroups", HOME, ACCT));
        ec2(&mut a, "eu-west-1").security_groups = Ok(vec![]);
        let f = run_check("ec2_sg_admin_ports_ipv4", a, &[], now());
        assert!(f
            .iter()
            .any(|f| f.region == HOME && f.status == Status::Error));
        assert!(f
            .iter()
            .any(|f| f.region == "eu-west-1" && f.status == Status::NotApplicable));
        let mut old = account();
        old.regional.get_mut(HOME).unwrap().ec2 = None;
        let f = run_check("ec2_sg_cifs_restricted", old, &[], now());
        assert!(f.iter().any(|f| f.region == HOME
            && f.status == Status::Error
            && f.detail.contains("no EC2 data")));
    }

    fn entry(
        rule_number: i32,
        allow: bool,
        protocol: &str,
        ports: Option<(i32, i32)>,
        cidr: &str,
    ) -> NaclEntry {
        NaclEntry {
            rule_number,
            egress: false,
            allow,
            protocol: protocol.into(),
            cidr: Some(cidr.into()),
            ipv6_cidr: None,
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
        }
    }

    #[test]
    fn nacl_rules_are_evaluated_in_rule_number_order() {
        let acl = |entries| NetworkAcl {
            id: "acl-1".into(),
            vpc_id: None,
            is_default: false,
            entries,
        };
        // The default ACL: allow all at 100.
        assert_eq!(
            nacl_verdict(
                &acl(vec![
                    entry(100, true, "-1", None, "0.0.0.0/0"),
                    entry(32767, false, "-1", None, "0.0.0.0/0")
                ]),
                22
            ),
            Some((100, true))
        );
        // A deny after the allow does not help; before it, it does.
        let late = acl(vec![
            entry(200, false, "6", Some((22, 22)), "0.0.0.0/0"),
            entry(100, true, "-1", None, "0.0.0.0/0"),
        ]);
        assert_eq!(nacl_verdict(&late, 22), Some((100, true)));
        let early = acl(vec![
            entry(50, false, "6", Some((0, 1024)), "0.0.0.0/0"),
            entry(100, true, "-1", None, "0.0.0.0/0"),
        ]);
        assert_eq!(nacl_verdict(&early, 22), Some((50, false)));
        assert_eq!(nacl_verdict(&early, 3389), Some((100, true)));
        // A narrower source does not decide traffic from anywhere.
        let narrow = acl(vec![
            entry(10, true, "6", Some((22, 22)), "10.0.0.0/8"),
            entry(20, false, "-1", None, "0.0.0.0/0"),
        ]);
        assert_eq!(nacl_verdict(&narrow, 22), Some((20, false)));
        // UDP does not carry SSH.
        assert_eq!(
            nacl_verdict(
                &acl(vec![entry(10, true, "17", Some((22, 22)), "0.0.0.0/0")]),
                22
            ),
            None
        );

        let mut a = account();
        ec2(&mut a, HOME).network_acls = Ok(vec![late]);
        let f = run_check("ec2_nacl_admin_ports", a, &[], now());
        let home = f.iter().find(|f| f.region == HOME).unwrap();
        assert_eq!(home.status, Status::Fail);
        assert!(home.detail.contains("port 22 (rule 100"), "{}", home.detail);
        assert!(f
            .iter()
            .any(|f| f.region == "eu-west-1" && f.status == Status::Pass));
    }

    #[test]
    fn default_security_groups_must_be_empty() {
        let mut a = account();
        ec2(&mut a, HOME).security_groups = Ok(vec![
            SecurityGroup {
                id: "sg-d".into(),
                name: "default".into(),
                vpc_id: Some("vpc-1".into()),
                ingress: vec![IpRule {
                    protocol: "-1".into(),
                    other_sources: vec!["sg-d".into()],
                    ..Default::default()
                }],
                egress: vec![all_traffic(&["0.0.0.0/0"])],
            },
            group("sg-other", vec![all_traffic(&["0.0.0.0/0"])]),
        ]);
        let f = run_check("ec2_default_sg_restricts_all", a, &[], now());
        let home: Vec<&Finding> = f.iter().filter(|f| f.region == HOME).collect();
        assert_eq!(home.len(), 1, "only default groups are in scope");
        assert_eq!(home[0].status, Status::Fail);
        assert!(
            home[0].detail.contains("1 inbound and 1 outbound"),
            "{}",
            home[0].detail
        );
        let mut none = account();
        ec2(&mut none, HOME).security_groups = Ok(vec![group("sg-x", vec![])]);
        let f = run_check("ec2_default_sg_restricts_all", none, &[], now());
        assert!(f
            .iter()
            .any(|f| f.region == HOME && f.status == Status::NotApplicable));
    }

    #[test]
    fn imdsv2_required_on_live_instances() {
        let instance = |id: &str, state: &str, tokens: &str, endpoint: &str| Instance {
            id: id.into(),
            state: state.into(),
            http_tokens: Some(tokens.into()),
            http_endpoint: Some(endpoint.into()),
            instance_profile: None,
        };
        let mut a = account();
        ec2(&mut a, HOME).instances = Ok(vec![
            instance("i-v2", "running", "required", "enabled"),
            instance("i-v1", "stopped", "optional", "enabled"),
            instance("i-off", "running", "optional", "disabled"),
            instance("i-gone", "terminated", "optional", "enabled"),
        ]);
        let f = run_check("ec2_imdsv2_required", a, &[], now());
        let of = |id: &str| {
            f.iter()
                .find(|f| f.resource.id.ends_with(id))
                .map(|f| f.status)
        };
        assert_eq!(of("instance/i-v2"), Some(Status::Pass));
        assert_eq!(of("instance/i-v1"), Some(Status::Fail));
        assert_eq!(of("instance/i-off"), Some(Status::Pass));
        assert_eq!(
            of("instance/i-gone"),
            None,
            "terminated instances are out of scope"
        );
        assert!(f
            .iter()
            .any(|f| f.region == "eu-west-1" && f.status == Status::NotApplicable));
        let mut denied_a = account();
        ec2(&mut denied_a, HOME).instances = Err(denied("ec2:DescribeInstances", HOME, ACCT));
        assert!(run_check("ec2_imdsv2_required", denied_a, &[], now())
            .iter()
            .any(|f| f.status == Status::Error));
    }

    #[test]
    fn every_vpc_needs_an_active_flow_log_for_rejected_traffic() {
        let mut a = account();
        if let Ok(logs) = &mut ec2(&mut a, HOME).flow_logs {
            logs[0].traffic_type = "ACCEPT".into();
        }
        if let Ok(vpcs) = &mut ec2(&mut a, "eu-west-1").vpcs {
            vpcs.push(crate::evidence::Vpc {
                id: "vpc-new".into(),
                is_default: false,
            });
        }
        let f = run_check("vpc_flow_logs_enabled", a, &[], now());
        let of = |id: &str| {
            f.iter()
                .find(|f| f.resource.id.ends_with(id))
                .map(|f| f.status)
        };
        assert_eq!(
            of("vpc/vpc-us-east-1"),
            Some(Status::Fail),
            "an ACCEPT-only log misses rejected traffic"
        );
        assert_eq!(of("vpc/vpc-eu-west-1"), Some(Status::Pass));
        assert_eq!(of("vpc/vpc-new"), Some(Status::Fail));
        let mut a = account();
        ec2(&mut a, HOME).flow_logs = Err(denied("ec2:DescribeFlowLogs", HOME, ACCT));
        ec2(&mut a, "eu-west-1").vpcs = Ok(vec![]);
        let f = run_check("vpc_flow_logs_enabled", a, &[], now());
        assert!(f
            .iter()
            .any(|f| f.region == HOME && f.status == Status::Error));
        assert!(f
            .iter()
            .any(|f| f.region == "eu-west-1" && f.status == Status::NotApplicable));
    }
}
