//! EC2 evidence, per region: EBS default encryption, VPCs, security groups, network ACLs, flow
//! logs and instance metadata options.

use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ec2Evidence {
    pub ebs_encryption_by_default: Collected<bool>,
    pub vpcs: Collected<Vec<Vpc>>,
    pub security_groups: Collected<Vec<SecurityGroup>>,
    pub network_acls: Collected<Vec<NetworkAcl>>,
    pub flow_logs: Collected<Vec<FlowLog>>,
    pub instances: Collected<Vec<Instance>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub is_default: bool,
}

/// One permission of a security group: a protocol and port range from some sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, or a protocol number.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    #[serde(default)]
    pub ipv4_ranges: Vec<String>,
    #[serde(default)]
    pub ipv6_ranges: Vec<String>,
    /// Other security groups and prefix lists the rule admits.
    #[serde(default)]
    pub other_sources: Vec<String>,
}

impl IpRule {
    /// True when the rule admits TCP traffic to `port` (all-protocol rules included).
    pub fn admits_tcp_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => (from == -1 && to == -1) || (from <= port && port <= to),
                _ => true,
            },
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<IpRule>,
    pub egress: Vec<IpRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc_id: Option<String>,
    pub is_default: bool,
    pub entries: Vec<NaclEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaclEntry {
    pub rule_number: i32,
    pub egress: bool,
    pub allow: bool,
    /// `-1` (all) or a protocol number (`6` TCP, `17` UDP).
    pub protocol: String,
    pub cidr: Option<String>,
    pub ipv6_cidr: Option<String>,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
}

impl NaclEntry {
    pub fn covers_tcp_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" => true,
            "6" | "tcp" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= port && port <= to,
                _ => true,
            },
            _ => false,
        }
    }

    /// True when the entry applies to traffic from any address.
    pub fn from_anywhere(&self) -> bool {
        self.cidr.as_deref() == Some("0.0.0.0/0") || self.ipv6_cidr.as_deref() == Some("::/0")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    pub resource_id: String,
    /// `ACTIVE` when delivering.
    pub status: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
    /// Where the flow log delivers: an S3 bucket ARN (`arn:aws:s3:::bucket/prefix`), a log group
    /// or a Firehose stream; `None` in evidence from before it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

impl FlowLog {
    /// The S3 bucket the flow log delivers to, if it delivers to S3.
    pub fn s3_bucket(&self) -> Option<&str> {
        let rest = self.destination.as_deref()?.strip_prefix("arn:")?;
        let (_, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("s3:::")?;
        Some(rest.split('/').next().unwrap_or(rest)).filter(|b| !b.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    /// `pending`, `running`, `stopped`, `terminated` …
    pub state: String,
    /// `required` (IMDSv2 only) or `optional`.
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    /// The instance profile ARN; `None` when the instance has no role.
    #[serde(default)]
    pub instance_profile: Option<String>,
}
