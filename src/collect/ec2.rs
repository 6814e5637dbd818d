//! EC2 collection in one region: EBS default encryption, VPCs, security groups, network ACLs,
//! flow logs and instances' metadata options.

use aws_sdk_ec2::Client;

use super::error::{classify_sdk_error, Scope};
use crate::evidence::{
    Collected, Ec2Evidence, FlowLog, Instance, IpRule, NaclEntry, NetworkAcl, SecurityGroup, Vpc,
};

pub async fn collect(client: &Client, scope: &Scope) -> Ec2Evidence {
    let (ebs, vpcs, groups, acls, flow_logs, instances) = tokio::join!(
        ebs_encryption_by_default(client, scope),
        vpcs(client, scope),
        security_groups(client, scope),
        network_acls(client, scope),
        flow_logs(client, scope),
        instances(client, scope),
    );
    Ec2Evidence {
        ebs_encryption_by_default: ebs,
        vpcs,
        security_groups: groups,
        network_acls: acls,
        flow_logs,
        instances,
    }
}

async fn ebs_encryption_by_default(client: &Client, scope: &Scope) -> Collected<bool> {
    client
        .get_ebs_encryption_by_default()
        .send()
        .await
        .map(|o| o.ebs_encryption_by_default().unwrap_or(false))
        .map_err(|e| classify_sdk_error(&e, "ec2:GetEbsEncryptionByDefault", scope))
}

async fn vpcs(client: &Client, scope: &Scope) -> Collected<Vec<Vpc>> {
    let vpcs: Vec<_> = client
        .describe_vpcs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "ec2:DescribeVpcs", scope))?;
    Ok(vpcs
        .iter()
        .map(|v| Vpc {
            id: v.vpc_id().unwrap_or_default().to_string(),
            is_default: v.is_default().unwrap_or(false),
        })
        .collect())
}

fn rule(p: &aws_sdk_ec2::types::IpPermission) -> IpRule {
    IpRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_string))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_string))
            .collect(),
        other_sources: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .chain(
                p.prefix_list_ids()
                    .iter()
                    .filter_map(|l| l.prefix_list_id().map(str::to_string)),
            )
            .collect(),
    }
}

async fn security_groups(client: &Client, scope: &Scope) -> Collected<Vec<SecurityGroup>> {
    let groups: Vec<_> = client
        .describe_security_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "ec2:DescribeSecurityGroups", scope))?;
    Ok(groups
        .iter()
        .map(|g| SecurityGroup {
            id: g.group_id().unwrap_or_default().to_string(),
            name: g.group_name().unwrap_or_default().to_string(),
            vpc_id: g.vpc_id().map(str::to_string),
            ingress: g.ip_permissions().iter().map(rule).collect(),
            egress: g.ip_permissions_egress().iter().map(rule).collect(),
        })
        .collect())
}

async fn network_acls(client: &Client, scope: &Scope) -> Collected<Vec<NetworkAcl>> {
    let acls: Vec<_> = client
        .describe_network_acls()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "ec2:DescribeNetworkAcls", scope))?;
    Ok(acls
        .iter()
        .map(|a| NetworkAcl {
            id: a.network_acl_id().unwrap_or_default().to_string(),
            vpc_id: a.vpc_id().map(str::to_string),
            is_default: a.is_default().unwrap_or(false),
            entries: a
                .entries()
                .iter()
                .map(|e| NaclEntry {
                    rule_number: e.rule_number().unwrap_or(32767),
                    egress: e.egress().unwrap_or(false),
                    allow: e.rule_action().is_some_and(|r| r.as_str() == "allow"),
                    protocol: e.protocol().unwrap_or("-1").to_string(),
                    cidr: e.cidr_block().map(str::to_string),
                    ipv6_cidr: e.ipv6_cidr_block().map(str::to_string),
                    from_port: e.port_range().and_then(|p| p.from()),
                    to_port: e.port_range().and_then(|p| p.to()),
                })
                .collect(),
        })
        .collect())
}

async fn flow_logs(client: &Client, scope: &Scope) -> Collected<Vec<FlowLog>> {
    let logs: Vec<_> = client
        .describe_flow_logs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "ec2:DescribeFlowLogs", scope))?;
    Ok(logs
        .iter()
        .map(|l| FlowLog {
            id: l.flow_log_id().unwrap_or_default().to_string(),
            resource_id: l.resource_id().unwrap_or_default().to_string(),
            status: l.flow_log_status().unwrap_or_default().to_string(),
            traffic_type: l
                .traffic_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            destination: l.log_destination().map(str::to_string),
        })
        .collect())
}

async fn instances(client: &Client, scope: &Scope) -> Collected<Vec<Instance>> {
    let reservations: Vec<_> = client
        .describe_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "ec2:DescribeInstances", scope))?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| Instance {
            id: i.instance_id().unwrap_or_default().to_string(),
            state: i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            http_tokens: i
                .metadata_options()
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str().to_string()),
            http_endpoint: i
                .metadata_options()
                .and_then(|m| m.http_endpoint())
                .map(|t| t.as_str().to_string()),
            instance_profile: i
                .iam_instance_profile()
                .and_then(|p| p.arn())
                .map(str::to_string),
        })
        .collect())
}
