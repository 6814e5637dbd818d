//! Evidence from the services read for CIS v7.0.0's storage, IAM and governance
//! recommendations: IAM Access Analyzer, RDS, EFS, GuardDuty, resource policies (SNS, SQS, KMS,
//! Lambda), account contacts, and the management account's Organizations governance settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Collected;

/// `access-analyzer:ListAnalyzers` in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT`, `ORGANIZATION` (external access), `ACCOUNT_UNUSED_ACCESS`, ...
    pub kind: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: String,
}

impl Analyzer {
    /// An active analyzer of external access (account or organization zone of trust).
    pub fn is_active_external(&self) -> bool {
        matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION") && self.status == "ACTIVE"
    }
}

/// RDS in one region: `rds:DescribeDBInstances` and `rds:DescribeDBClusters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RdsEvidence {
    pub instances: Collected<Vec<DbInstance>>,
    pub clusters: Collected<Vec<DbCluster>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInstance {
    pub id: String,
    pub arn: String,
    pub engine: String,
    pub storage_encrypted: bool,
    pub auto_minor_version_upgrade: bool,
    pub publicly_accessible: bool,
    pub multi_az: bool,
    /// The Aurora (or Multi-AZ DB) cluster the instance belongs to.
    #[serde(default)]
    pub cluster_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbCluster {
    pub id: String,
    pub arn: String,
    pub engine: String,
    pub storage_encrypted: bool,
    pub multi_az: bool,
}

/// `elasticfilesystem:DescribeFileSystems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EfsFileSystem {
    pub id: String,
    pub arn: String,
    pub name: Option<String>,
    pub encrypted: bool,
    pub kms_key_id: Option<String>,
}

/// `guardduty:ListDetectors` + `guardduty:GetDetector`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardDutyDetector {
    pub id: String,
    /// `ENABLED` or `DISABLED`; the error when GetDetector failed.
    pub status: Collected<String>,
}

/// A resource and its resource-based policy document (`None`: the resource has no policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyHolder {
    pub arn: String,
    pub name: String,
    pub policy: Collected<Option<String>>,
}

/// Resource policies read in one region. Each list is `Err` when the resources could not be
/// listed; a policy that could not be read is an `Err` on its resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePolicies {
    /// `sns:ListTopics` + `sns:GetTopicAttributes` (Policy).
    pub sns_topics: Collected<Vec<PolicyHolder>>,
    /// `sqs:ListQueues` + `sqs:GetQueueAttributes` (Policy).
    pub sqs_queues: Collected<Vec<PolicyHolder>>,
    /// `kms:GetKeyPolicy` for the customer-managed keys listed in [`super::KmsKey`].
    pub kms_keys: Collected<Vec<PolicyHolder>>,
    /// `lambda:ListFunctions` + `lambda:GetPolicy`.
    pub lambda_functions: Collected<Vec<PolicyHolder>>,
}

/// `account:GetContactInformation` and `account:GetAlternateContact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountContacts {
    /// The primary contact; `None` when none is registered.
    pub primary: Collected<Option<PrimaryContact>>,
    /// By type (`SECURITY`, `BILLING`, `OPERATIONS`); `None` when none is registered.
    pub alternate: BTreeMap<String, Collected<Option<AlternateContact>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryContact {
    pub full_name: String,
    pub phone_number: String,
    pub company_name: Option<String>,
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlternateContact {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone_number: String,
}

/// Governance settings read in an organization's management account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgGovernance {
    /// `iam:ListOrganizationsFeatures`: `RootCredentialsManagement`, `RootSessions`.
    pub iam_root_features: Collected<Vec<String>>,
    /// `organizations:DescribeResourcePolicy`: the policy delegating Organizations policy
    /// management; `None` when there is none.
    pub resource_policy: Collected<Option<String>>,
    /// `organizations:ListAWSServiceAccessForOrganization`: service principals with trusted
    /// access.
    pub service_access: Collected<Vec<String>>,
    /// `organizations:ListDelegatedAdministrators` + `ListDelegatedServicesForAccount`:
    /// delegated administrator account id → its service principals.
    pub delegated_admins: Collected<BTreeMap<String, Vec<String>>>,
    /// Authorization policies (SCPs and RCPs): `None` in evidence from before they were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrails: Option<Collected<Guardrails>>,
}

impl OrgGovernance {
    /// The delegated administrators of one service principal (account ids, sorted).
    pub fn delegated_admins_of(&self, principal: &str) -> Collected<Vec<String>> {
        self.delegated_admins
            .as_ref()
            .map_err(Clone::clone)
            .map(|admins| {
                admins
                    .iter()
                    .filter(|(_, services)| services.iter().any(|s| s == principal))
                    .map(|(account, _)| account.clone())
                    .collect()
            })
    }
}

/// `organizations:ListRoots`, `ListPolicies` and `ListTargetsForPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardrails {
    /// Policy types on the root and their status, e.g. `SERVICE_CONTROL_POLICY` → `ENABLED`.
    pub root_policy_types: BTreeMap<String, String>,
    /// Customer-managed SCPs and RCPs (AWS-managed ones such as FullAWSAccess are left out).
    pub policies: Vec<GuardrailPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardrailPolicy {
    pub id: String,
    pub name: String,
    /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
    pub kind: String,
    /// (target type, target id/name): `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    pub targets: Vec<(String, String)>,
}

/// `ec2:DescribeRouteTables` (routes through VPC peering connections) and
/// `ec2:DescribeVpcPeeringConnections`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringEvidence {
    pub routes: Collected<Vec<PeeringRoute>>,
    pub connections: Collected<Vec<PeeringConnection>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringRoute {
    pub route_table_id: String,
    pub vpc_id: String,
    /// An IPv4 or IPv6 CIDR, or a prefix-list id.
    pub destination: String,
    pub peering_connection_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringConnection {
    pub id: String,
    pub status: String,
    pub requester_vpc_id: String,
    pub requester_cidrs: Vec<String>,
    pub accepter_vpc_id: String,
    pub accepter_cidrs: Vec<String>,
}

impl PeeringConnection {
    /// The CIDR blocks of the VPC on the other side of the connection from `vpc_id`.
    pub fn peer_cidrs(&self, vpc_id: &str) -> &[String] {
        if self.requester_vpc_id == vpc_id {
            &self.accepter_cidrs
        } else {
            &self.requester_cidrs
        }
    }
}

/// An Application or Network Load Balancer: `elasticloadbalancing:DescribeLoadBalancers` +
/// `DescribeLoadBalancerAttributes`. Gateway Load Balancers (which have no access logs) are left
/// out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    /// `application` or `network`.
    pub kind: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// `access_logs.s3.enabled`: the log bucket (`access_logs.s3.bucket`) when access logging
    /// is on, `None` when it is off; the error when the attributes could not be read.
    pub access_logs: Collected<Option<String>>,
}

/// A CloudFront distribution: `cloudfront:ListDistributions` + `GetDistributionConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    pub domain_name: String,
    /// Standard logging (`Logging.Enabled`, `Logging.Bucket`): the log bucket when it is on,
    /// `None` when it is off; the error when the configuration could not be read.
    pub logging_bucket: Collected<Option<String>>,
}
