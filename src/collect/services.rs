//! Collection for IAM Access Analyzer, RDS, EFS, GuardDuty, resource policies (SNS, SQS, KMS,
//! Lambda), VPC peering routes, account contacts and Organizations governance.
//!
//! "Not configured" answers (no policy, no contact, no resource policy) are facts (`None`);
//! everything else that fails is a typed [`crate::evidence::CollectError`].

use std::collections::BTreeMap;

use super::error::{classify_sdk_error, error_code, Scope};
use crate::evidence::{
    AccountContacts, AlternateContact, Analyzer, Collected, DbCluster, DbInstance, EfsFileSystem,
    GuardDutyDetector, GuardrailPolicy, Guardrails, KmsKey, OrgGovernance, PeeringConnection,
    PeeringEvidence, PeeringRoute, PolicyHolder, PrimaryContact, RdsEvidence,
};

pub async fn access_analyzers(
    client: &aws_sdk_accessanalyzer::Client,
    scope: &Scope,
) -> Collected<Vec<Analyzer>> {
    let listed: Vec<_> = client
        .list_analyzers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "access-analyzer:ListAnalyzers", scope))?;
    Ok(listed
        .iter()
        .map(|a| Analyzer {
            name: a.name().to_string(),
            arn: a.arn().to_string(),
            kind: a.r#type().as_str().to_string(),
            status: a.status().as_str().to_string(),
        })
        .collect())
}

pub async fn rds(client: &aws_sdk_rds::Client, scope: &Scope) -> RdsEvidence {
    let instances = async {
        let listed: Vec<_> = client
            .describe_db_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "rds:DescribeDBInstances", scope))?;
        Ok(listed
            .iter()
            .map(|i| DbInstance {
                id: i.db_instance_identifier().unwrap_or_default().to_string(),
                arn: i.db_instance_arn().unwrap_or_default().to_string(),
                engine: i.engine().unwrap_or_default().to_string(),
                storage_encrypted: i.storage_encrypted().unwrap_or(false),
                auto_minor_version_upgrade: i.auto_minor_version_upgrade().unwrap_or(false),
                publicly_accessible: i.publicly_accessible().unwrap_or(false),
                multi_az: i.multi_az().unwrap_or(false),
                cluster_id: i.db_cluster_identifier().map(str::to_string),
            })
            .collect())
    };
    let clusters = async {
        let listed: Vec<_> = client
            .describe_db_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "rds:DescribeDBClusters", scope))?;
        Ok(listed
            .iter()
            .map(|c| DbCluster {
                id: c.db_cluster_identifier().unwrap_or_default().to_string(),
                arn: c.db_cluster_arn().unwrap_or_default().to_string(),
                engine: c.engine().unwrap_or_default().to_string(),
                storage_encrypted: c.storage_encrypted().unwrap_or(false),
                multi_az: c.multi_az().unwrap_or(false),
            })
            .collect())
    };
    let (instances, clusters) = tokio::join!(instances, clusters);
    RdsEvidence {
        instances,
        clusters,
    }
}

pub async fn efs(client: &aws_sdk_efs::Client, scope: &Scope) -> Collected<Vec<EfsFileSystem>> {
    let listed: Vec<_> = client
        .describe_file_systems()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "elasticfilesystem:DescribeFileSystems", scope))?;
    Ok(listed
        .iter()
        .map(|f| EfsFileSystem {
            id: f.file_system_id().to_string(),
            arn: f.file_system_arn().unwrap_or_default().to_string(),
            name: f.name().map(str::to_string),
            encrypted: f.encrypted().unwrap_or(false),
            kms_key_id: f.kms_key_id().map(str::to_string),
        })
        .collect())
}

pub async fn guardduty_detectors(
    client: &aws_sdk_guardduty::Client,
    scope: &Scope,
) -> Collected<Vec<GuardDutyDetector>> {
    let ids: Vec<String> = client
        .list_detectors()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "guardduty:ListDetectors", scope))?;
    let mut detectors = Vec::with_capacity(ids.len());
    for id in ids {
        let status = client
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map(|o| {
                o.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()
            })
            .map_err(|e| classify_sdk_error(&e, "guardduty:GetDetector", scope));
        detectors.push(GuardDutyDetector { id, status });
    }
    Ok(detectors)
}

/// The last component of an ARN (`arn:aws:sns:us-east-1:1111:topic` → `topic`).
fn arn_name(arn: &str) -> String {
    arn.rsplit([':', '/']).next().unwrap_or(arn).to_string()
}

pub async fn sns_topic_policies(
    client: &aws_sdk_sns::Client,
    scope: &Scope,
) -> Collected<Vec<PolicyHolder>> {
    let topics: Vec<_> = client
        .list_topics()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "sns:ListTopics", scope))?;
    let mut out = Vec::with_capacity(topics.len());
    for topic in topics {
        let Some(arn) = topic.topic_arn() else {
            continue;
        };
        let policy = client
            .get_topic_attributes()
            .topic_arn(arn)
            .send()
            .await
            .map(|o| o.attributes().and_then(|a| a.get("Policy")).cloned())
            .map_err(|e| classify_sdk_error(&e, "sns:GetTopicAttributes", scope));
        out.push(PolicyHolder {
            arn: arn.to_string(),
            name: arn_name(arn),
            policy,
        });
    }
    Ok(out)
}

pub async fn sqs_queue_policies(
    client: &aws_sdk_sqs::Client,
    scope: &Scope,
) -> Collected<Vec<PolicyHolder>> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let urls: Vec<String> = client
        .list_queues()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "sqs:ListQueues", scope))?;
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let read = client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::Policy)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| classify_sdk_error(&e, "sqs:GetQueueAttributes", scope));
        let arn = read
            .as_ref()
            .ok()
            .and_then(|o| o.attributes())
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or_else(|| url.clone());
        out.push(PolicyHolder {
            name: arn_name(&url),
            arn,
            policy: read.map(|o| {
                o.attributes()
                    .and_then(|a| a.get(&QueueAttributeName::Policy))
                    .cloned()
            }),
        });
    }
    Ok(out)
}

/// Key policies of the customer-managed keys already listed for the region.
pub async fn kms_key_policies(
    client: &aws_sdk_kms::Client,
    keys: &Collected<Vec<KmsKey>>,
    scope: &Scope,
) -> Collected<Vec<PolicyHolder>> {
    let keys = keys.as_ref().map_err(Clone::clone)?;
    let mut out = Vec::new();
    for key in keys
        .iter()
        .filter(|k| k.manager == "CUSTOMER" && !k.state.starts_with("Pending"))
    {
        let policy = client
            .get_key_policy()
            .key_id(&key.key_id)
            .policy_name("default")
            .send()
            .await
            .map(|o| o.policy().map(str::to_string))
            .map_err(|e| classify_sdk_error(&e, "kms:GetKeyPolicy", scope));
        out.push(PolicyHolder {
            arn: key.arn.clone(),
            name: key.key_id.clone(),
            policy,
        });
    }
    Ok(out)
}

pub async fn lambda_policies(
    client: &aws_sdk_lambda::Client,
    scope: &Scope,
) -> Collected<Vec<PolicyHolder>> {
    let functions: Vec<_> = client
        .list_functions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "lambda:ListFunctions", scope))?;
    let mut out = Vec::with_capacity(functions.len());
    for f in functions {
        let (Some(name), Some(arn)) = (f.function_name(), f.function_arn()) else {
            continue;
        };
        let policy = match client.get_policy().function_name(name).send().await {
            Ok(o) => Ok(o.policy().map(str::to_string)),
            Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(classify_sdk_error(&e, "lambda:GetPolicy", scope)),
        };
        out.push(PolicyHolder {
            arn: arn.to_string(),
            name: name.to_string(),
            policy,
        });
    }
    Ok(out)
}

pub async fn peering(client: &aws_sdk_ec2::Client, scope: &Scope) -> PeeringEvidence {
    let routes = async {
        let tables: Vec<_> = client
            .describe_route_tables()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "ec2:DescribeRouteTables", scope))?;
        let mut routes = Vec::new();
        for table in &tables {
            for route in table.routes() {
                let Some(pcx) = route.vpc_peering_connection_id() else {
                    continue;
                };
                let destination = route
                    .destination_cidr_block()
                    .or(route.destination_ipv6_cidr_block())
                    .or(route.destination_prefix_list_id())
                    .unwrap_or_default();
                routes.push(PeeringRoute {
                    route_table_id: table.route_table_id().unwrap_or_default().to_string(),
                    vpc_id: table.vpc_id().unwrap_or_default().to_string(),
                    destination: destination.to_string(),
                    peering_connection_id: pcx.to_string(),
                });
            }
        }
        Ok(routes)
    };
    let connections = async {
        let listed: Vec<_> = client
            .describe_vpc_peering_connections()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "ec2:DescribeVpcPeeringConnections", scope))?;
        let cidrs = |info: Option<&aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo>| {
            let Some(info) = info else {
                return Vec::new();
            };
            let mut all: Vec<String> = info
                .cidr_block_set()
                .iter()
                .filter_map(|c| c.cidr_block().map(str::to_string))
                .collect();
            if all.is_empty() {
                all.extend(info.cidr_block().map(str::to_string));
            }
            all.extend(
                info.ipv6_cidr_block_set()
                    .iter()
                    .filter_map(|c| c.ipv6_cidr_block().map(str::to_string)),
            );
            all
        };
        Ok(listed
            .iter()
            .map(|c| PeeringConnection {
                id: c
                    .vpc_peering_connection_id()
                    .unwrap_or_default()
                    .to_string(),
                status: c
                    .status()
                    .and_then(|s| s.code())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                requester_vpc_id: c
                    .requester_vpc_info()
                    .and_then(|i| i.vpc_id())
                    .unwrap_or_default()
                    .to_string(),
                requester_cidrs: cidrs(c.requester_vpc_info()),
                accepter_vpc_id: c
                    .accepter_vpc_info()
                    .and_then(|i| i.vpc_id())
                    .unwrap_or_default()
                    .to_string(),
                accepter_cidrs: cidrs(c.accepter_vpc_info()),
            })
            .collect())
    };
    let (routes, connections) = tokio::join!(routes, connections);
    PeeringEvidence {
        routes,
        connections,
    }
}

/// The alternate-contact types read.
pub const ALTERNATE_CONTACT_TYPES: [&str; 3] = ["SECURITY", "BILLING", "OPERATIONS"];

pub async fn contacts(client: &aws_sdk_account::Client, scope: &Scope) -> AccountContacts {
    use aws_sdk_account::types::AlternateContactType;
    let primary = match client.get_contact_information().send().await {
        Ok(o) => Ok(o.contact_information().map(|c| PrimaryContact {
            full_name: c.full_name().to_string(),
            phone_number: c.phone_number().to_string(),
            company_name: c.company_name().map(str::to_string),
            country_code: c.country_code().to_string(),
        })),
        Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(classify_sdk_error(
            &e,
            "account:GetContactInformation",
            scope,
        )),
    };
    let mut alternate = BTreeMap::new();
    for kind in ALTERNATE_CONTACT_TYPES {
        let read = match client
            .get_alternate_contact()
            .alternate_contact_type(AlternateContactType::from(kind))
            .send()
            .await
        {
            Ok(o) => Ok(o.alternate_contact().map(|c| AlternateContact {
                name: c.name().unwrap_or_default().to_string(),
                title: c.title().unwrap_or_default().to_string(),
                email: c.email_address().unwrap_or_default().to_string(),
                phone_number: c.phone_number().unwrap_or_default().to_string(),
            })),
            Err(e) if error_code(&e) == Some("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(classify_sdk_error(&e, "account:GetAlternateContact", scope)),
        };
        alternate.insert(kind.to_string(), read);
    }
    AccountContacts { primary, alternate }
}

/// Governance settings of an organization, read in its management account.
pub async fn org_governance(
    iam: &aws_sdk_iam::Client,
    organizations: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> OrgGovernance {
    let iam_root_features = match iam.list_organizations_features().send().await {
        Ok(o) => Ok(o
            .enabled_features()
            .iter()
            .map(|f| f.as_str().to_string())
            .collect()),
        // IAM's trusted access in Organizations is off: no feature is enabled.
        Err(e) if error_code(&e) == Some("ServiceAccessNotEnabledException") => Ok(Vec::new()),
        Err(e) => Err(classify_sdk_error(
            &e,
            "iam:ListOrganizationsFeatures",
            scope,
        )),
    };
    let resource_policy = match organizations.describe_resource_policy().send().await {
        Ok(o) => Ok(o
            .resource_policy()
            .and_then(|p| p.content())
            .map(str::to_string)),
        Err(e) if error_code(&e) == Some("ResourcePolicyNotFoundException") => Ok(None),
        Err(e) => Err(classify_sdk_error(
            &e,
            "organizations:DescribeResourcePolicy",
            scope,
        )),
    };
    let service_access = organizations
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map(|pages: Vec<_>| {
            pages
                .iter()
                .flat_map(|p| p.enabled_service_principals())
                .filter_map(|p| p.service_principal().map(str::to_string))
                .collect()
        })
        .map_err(|e| {
            classify_sdk_error(
                &e,
                "organizations:ListAWSServiceAccessForOrganization",
                scope,
            )
        });
    let delegated_admins = async {
        let admins: Vec<_> = organizations
            .list_delegated_administrators()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| {
                classify_sdk_error(&e, "organizations:ListDelegatedAdministrators", scope)
            })?;
        let mut out = BTreeMap::new();
        for admin in admins.iter().filter_map(|a| a.id()) {
            let services: Vec<_> = organizations
                .list_delegated_services_for_account()
                .account_id(admin)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| {
                    classify_sdk_error(&e, "organizations:ListDelegatedServicesForAccount", scope)
                })?;
            out.insert(
                admin.to_string(),
                services
                    .iter()
                    .filter_map(|s| s.service_principal().map(str::to_string))
                    .collect(),
            );
        }
        Ok(out)
    }
    .await;
    OrgGovernance {
        iam_root_features,
        resource_policy,
        service_access,
        delegated_admins,
        guardrails: Some(guardrails(organizations, scope).await),
    }
}

/// The policy types enabled on the organization's root and the customer-managed SCPs and RCPs
/// with their targets.
async fn guardrails(
    organizations: &aws_sdk_organizations::Client,
    scope: &Scope,
) -> Collected<Guardrails> {
    use aws_sdk_organizations::types::PolicyType;
    let pages: Vec<_> = organizations
        .list_roots()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "organizations:ListRoots", scope))?;
    let root_policy_types: BTreeMap<String, String> = pages
        .iter()
        .flat_map(|p| p.roots())
        .flat_map(|r| r.policy_types())
        .map(|t| {
            (
                t.r#type()
                    .map(|k| k.as_str().to_string())
                    .unwrap_or_default(),
                t.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut policies = Vec::new();
    for kind in [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ] {
        if root_policy_types.get(kind.as_str()).map(String::as_str) != Some("ENABLED") {
            continue;
        }
        let pages: Vec<_> = organizations
            .list_policies()
            .filter(kind.clone())
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify_sdk_error(&e, "organizations:ListPolicies", scope))?;
        for policy in pages
            .iter()
            .flat_map(|p| p.policies())
            .filter(|p| !p.aws_managed())
        {
            let Some(id) = policy.id() else { continue };
            let target_pages: Vec<_> = organizations
                .list_targets_for_policy()
                .policy_id(id)
                .into_paginator()
                .send()
                .try_collect()
                .await
                .map_err(|e| classify_sdk_error(&e, "organizations:ListTargetsForPolicy", scope))?;
            let targets: Vec<_> = target_pages.iter().flat_map(|p| p.targets()).collect();
            policies.push(GuardrailPolicy {
                id: id.to_string(),
                name: policy.name().unwrap_or_default().to_string(),
                kind: kind.as_str().to_string(),
                targets: targets
                    .iter()
                    .map(|t| {
                        (
                            t.r#type()
                                .map(|k| k.as_str().to_string())
                                .unwrap_or_default(),
                            t.name().or(t.target_id()).unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
            });
        }
    }
    Ok(Guardrails {
        root_policy_types,
        policies,
    })
}

#[cfg(test)]
mod tests {
    //! The APIs moto does not implement, answered by `aws-smithy-mocks`.
    use super::*;
    use crate::collect::{mocked_client, test_scope};
    use crate::evidence::ErrorKind;
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;

    fn error(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message(format!("{code} (mocked)"))
            .build()
    }

    #[tokio::test]
    async fn access_analyzers_are_listed_and_denial_is_an_error() {
        use aws_sdk_accessanalyzer::operation::list_analyzers::{
            ListAnalyzersError, ListAnalyzersOutput,
        };
        use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
        let summary = |name: &str, kind: Type, status: AnalyzerStatus| {
            AnalyzerSummary::builder()
                .arn(format!(
                    "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/{name}"
                ))
                .name(name)
                .r#type(kind)
                .created_at(aws_smithy_types::DateTime::from_secs(0))
                .status(status)
                .build()
                .unwrap()
        };
        let client = mocked_client!(
            aws_sdk_accessanalyzer,
            mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
                ListAnalyzersOutput::builder()
                    .analyzers(summary("external", Type::Account, AnalyzerStatus::Active))
                    .analyzers(summary(
                        "unused",
                        Type::AccountUnusedAccess,
                        AnalyzerStatus::Active,
                    ))
                    .build()
                    .unwrap()
            }),
        );
        let analyzers = access_analyzers(&client, &test_scope()).await.unwrap();
        assert_eq!(analyzers.len(), 2);
        assert!(analyzers[0].is_active_external());
        assert_eq!(analyzers[1].kind, "ACCOUNT_UNUSED_ACCESS");
        assert!(!analyzers[1].is_active_external());

        let denied = mocked_client!(
            aws_sdk_accessanalyzer,
            mock!(aws_sdk_accessanalyzer::Client::list_analyzers)
                .then_error(|| ListAnalyzersError::generic(error("AccessDeniedException"))),
        );
        let err = access_analyzers(&denied, &test_scope()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert_eq!(err.operation, "access-analyzer:ListAnalyzers");
    }

    #[tokio::test]
    async fn missing_contacts_are_facts_and_other_failures_errors() {
        use aws_sdk_account::operation::get_alternate_contact::{
            GetAlternateContactError, GetAlternateContactOutput,
        };
        use aws_sdk_account::operation::get_contact_information::GetContactInformationError;
        let client = mocked_client!(
            aws_sdk_account,
            mock!(aws_sdk_account::Client::get_contact_information).then_error(|| {
                GetContactInformationError::generic(error("AccessDeniedException"))
            }),
            mock!(aws_sdk_account::Client::get_alternate_contact)
                .match_requests(
                    |r| r.alternate_contact_type().map(|t| t.as_str()) == Some("SECURITY")
                )
                .then_output(|| {
                    GetAlternateContactOutput::builder()
                        .alternate_contact(
                            aws_sdk_account::types::AlternateContact::builder()
                                .name("Sec")
                                .title("CISO")
                                .email_address("sec@example.com")
                                .phone_number("+1 206 555 0100")
                                .build(),
                        )
                        .build()
                }),
            mock!(aws_sdk_account::Client::get_alternate_contact)
                .match_requests(
                    |r| r.alternate_contact_type().map(|t| t.as_str()) == Some("BILLING")
                )
                .then_error(|| GetAlternateContactError::generic(error(
                    "ResourceNotFoundException"
                ))),
            mock!(aws_sdk_account::Client::get_alternate_contact)
                .match_requests(
                    |r| r.alternate_contact_type().map(|t| t.as_str()) == Some("OPERATIONS")
                )
                .then_error(|| GetAlternateContactError::generic(error(
                    "TooManyRequestsException"
                ))),
        );
        let c = contacts(&client, &test_scope()).await;
        assert_eq!(c.primary.unwrap_err().kind, ErrorKind::AccessDenied);
        assert_eq!(
            c.alternate["SECURITY"]
                .as_ref()
                .unwrap()
                .as_ref()
                .unwrap()
                .email,
            "sec@example.com"
        );
        assert_eq!(c.alternate["BILLING"], Ok(None));
        let throttled = c.alternate["OPERATIONS"].as_ref().unwrap_err();
        assert_eq!(throttled.kind, ErrorKind::Throttled);
        assert_eq!(throttled.operation, "account:GetAlternateContact");
    }

    #[tokio::test]
    async fn governance_reads_not_configured_as_empty() {
        use aws_sdk_iam::operation::list_organizations_features::ListOrganizationsFeaturesError;
        use aws_sdk_organizations::operation::describe_resource_policy::DescribeResourcePolicyError;
        use aws_sdk_organizations::operation::list_aws_service_access_for_organization::ListAwsServiceAccessForOrganizationOutput;
        use aws_sdk_organizations::operation::list_delegated_administrators::ListDelegatedAdministratorsOutput;
        use aws_sdk_organizations::operation::list_delegated_services_for_account::ListDelegatedServicesForAccountOutput;
        let iam = mocked_client!(
            aws_sdk_iam,
            mock!(aws_sdk_iam::Client::list_organizations_features).then_error(|| {
                ListOrganizationsFeaturesError::generic(error("ServiceAccessNotEnabledException"))
            }),
        );
        let organizations = mocked_client!(
            aws_sdk_organizations,
            mock!(aws_sdk_organizations::Client::describe_resource_policy).then_error(|| {
                DescribeResourcePolicyError::generic(error("ResourcePolicyNotFoundException"))
            }),
            mock!(aws_sdk_organizations::Client::list_aws_service_access_for_organization)
                .then_output(|| {
                    ListAwsServiceAccessForOrganizationOutput::builder()
                        .enabled_service_principals(
                            aws_sdk_organizations::types::EnabledServicePrincipal::builder()
                                .service_principal("guardduty.amazonaws.com")
                                .build(),
                        )
                        .build()
                }),
            mock!(aws_sdk_organizations::Client::list_delegated_administrators).then_output(|| {
                ListDelegatedAdministratorsOutput::builder()
                    .delegated_administrators(
                        aws_sdk_organizations::types::DelegatedAdministrator::builder()
                            .id("444455556666")
                            .build(),
                    )
                    .build()
            }),
            mock!(aws_sdk_organizations::Client::list_roots).then_output(|| {
                aws_sdk_organizations::operation::list_roots::ListRootsOutput::builder()
                    .roots(
                        aws_sdk_organizations::types::Root::builder()
                            .id("r-abcd")
                            .name("Root")
                            .build(),
                    )
                    .build()
            }),
            mock!(aws_sdk_organizations::Client::list_delegated_services_for_account).then_output(
                || {
                    ListDelegatedServicesForAccountOutput::builder()
                        .delegated_services(
                            aws_sdk_organizations::types::DelegatedService::builder()
                                .service_principal("guardduty.amazonaws.com")
                                .build(),
                        )
                        .build()
                }
            ),
        );
        let g = org_governance(&iam, &organizations, &test_scope()).await;
        assert_eq!(g.iam_root_features, Ok(vec![]));
        assert_eq!(g.resource_policy, Ok(None));
        assert_eq!(
            g.service_access,
            Ok(vec!["guardduty.amazonaws.com".to_string()])
        );
        assert_eq!(
            g.delegated_admins.unwrap()["444455556666"],
            ["guardduty.amazonaws.com"]
        );
        // No policy type enabled on the root: nothing more to list.
        let guardrails = g.guardrails.unwrap().unwrap();
        assert!(guardrails.root_policy_types.is_empty());
        assert!(guardrails.policies.is_empty());
    }
}
