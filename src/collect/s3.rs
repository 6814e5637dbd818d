//! S3 collection: every bucket's settings, read with a client of the bucket's own region, and
//! the account-level Block Public Access. "Not configured" answers are facts (`None`).

use aws_sdk_s3::Client;
use futures::future::join_all;
use tokio::sync::Semaphore;

use super::error::{classify_sdk_error, error_code, Scope};
use super::Clients;
use crate::evidence::{
    to_utc, AclGrant, Bucket, Collected, LifecycleRule, LoggingTarget, PublicAccessBlock,
    S3Evidence, Versioning,
};

/// Reads every bucket; each bucket holds one permit of `limit` (the scan's `--concurrency`).
pub async fn collect(clients: &Clients, scope: &Scope, limit: &Semaphore) -> S3Evidence {
    let home = clients.s3(&scope.region);
    let (buckets, account_pab) = tokio::join!(
        list_buckets(clients, &home, scope, limit),
        account_public_access_block(clients, scope),
    );
    S3Evidence {
        buckets,
        account_public_access_block: account_pab,
    }
}

async fn list_buckets(
    clients: &Clients,
    home: &Client,
    scope: &Scope,
    limit: &Semaphore,
) -> Collected<Vec<Bucket>> {
    let listed: Vec<_> = home
        .list_buckets()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify_sdk_error(&e, "s3:ListBuckets", scope))?
        .into_iter()
        .flat_map(|page| page.buckets().to_vec())
        .collect();
    let buckets = join_all(listed.iter().map(|b| async move {
        let _permit = limit.acquire().await;
        let name = b.name().unwrap_or_default().to_string();
        let creation_date = b.creation_date().and_then(to_utc);
        read_bucket(clients, home, scope, name, creation_date).await
    }))
    .await;
    Ok(buckets)
}

/// `""` (us-east-1), `EU` (the old name of eu-west-1) or a region name.
pub fn normalise_location(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    }
}

async fn read_bucket(
    clients: &Clients,
    home: &Client,
    scope: &Scope,
    name: String,
    creation_date: Option<chrono::DateTime<chrono::Utc>>,
) -> Bucket {
    let region = home
        .get_bucket_location()
        .bucket(&name)
        .send()
        .await
        .map(|o| normalise_location(o.location_constraint().map(|c| c.as_str())))
        .map_err(|e| classify_sdk_error(&e, "s3:GetBucketLocation", scope));
    // Read the bucket where it lives; if its region is unknown, try from the home region.
    let bucket_scope = Scope {
        region: region.clone().unwrap_or_else(|_| scope.region.clone()),
        ..scope.clone()
    };
    let client = clients.s3(&bucket_scope.region);
    let s = &bucket_scope;
    let c = &client;
    let n = name.as_str();
    let (policy, lifecycle, logging, pab, acl, versioning, encryption) = tokio::join!(
        bucket_policy(c, n, s),
        bucket_lifecycle(c, n, s),
        bucket_logging(c, n, s),
        bucket_public_access_block(c, n, s),
        bucket_acl(c, n, s),
        bucket_versioning(c, n, s),
        bucket_encryption(c, n, s),
    );
    Bucket {
        arn: format!("arn:{}:s3:::{name}", clients.partition),
        name,
        creation_date,
        region,
        policy,
        lifecycle,
        logging,
        public_access_block: pab,
        acl_grants: acl,
        versioning,
        encryption,
    }
}

/// `None`: the bucket has no policy.
pub async fn bucket_policy(c: &Client, n: &str, s: &Scope) -> Collected<Option<String>> {
    match c.get_bucket_policy().bucket(n).send().await {
        Ok(o) => Ok(o.policy().map(str::to_string)),
        Err(e) if error_code(&e) == Some("NoSuchBucketPolicy") => Ok(None),
        Err(e) => Err(classify_sdk_error(&e, "s3:GetBucketPolicy", s)),
    }
}

/// `None`: the bucket has no lifecycle configuration.
pub async fn bucket_lifecycle(
    c: &Client,
    n: &str,
    s: &Scope,
) -> Collected<Option<Vec<LifecycleRule>>> {
    match c
        .get_bucket_lifecycle_configuration()
        .bucket(n)
        .send()
        .await
    {
        Ok(o) => Ok(Some(o.rules().iter().map(lifecycle_rule).collect())),
        Err(e) if error_code(&e) == Some("NoSuchLifecycleConfiguration") => Ok(None),
        Err(e) => Err(classify_sdk_error(
            &e,
            "s3:GetBucketLifecycleConfiguration",
            s,
        )),
    }
}

/// `None`: server access logging is off.
pub async fn bucket_logging(c: &Client, n: &str, s: &Scope) -> Collected<Option<LoggingTarget>> {
    c.get_bucket_logging()
        .bucket(n)
        .send()
        .await
        .map(|o| {
            o.logging_enabled().map(|l| LoggingTarget {
                target_bucket: l.target_bucket().to_string(),
                target_prefix: Some(l.target_prefix().to_string()).filter(|p| !p.is_empty()),
            })
        })
        .map_err(|e| classify_sdk_error(&e, "s3:GetBucketLogging", s))
}

/// `None`: no bucket-level Block Public Access configuration.
pub async fn bucket_public_access_block(
    c: &Client,
    n: &str,
    s: &Scope,
) -> Collected<Option<PublicAccessBlock>> {
    match c.get_public_access_block().bucket(n).send().await {
        Ok(o) => Ok(o
            .public_access_block_configuration()
            .map(|p| PublicAccessBlock {
                block_public_acls: p.block_public_acls().unwrap_or(false),
                ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                block_public_policy: p.block_public_policy().unwrap_or(false),
                restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
            })),
        Err(e) if error_code(&e) == Some("NoSuchPublicAccessBlockConfiguration") => Ok(None),
        Err(e) => Err(classify_sdk_error(&e, "s3:GetPublicAccessBlock", s)),
    }
}

pub async fn bucket_acl(c: &Client, n: &str, s: &Scope) -> Collected<Vec<AclGrant>> {
    c.get_bucket_acl()
        .bucket(n)
        .send()
        .await
        .map(|o| {
            o.grants()
                .iter()
                .map(|g| AclGrant {
                    grantee: g
                        .grantee()
                        .and_then(|gr| gr.uri().or(gr.id()).or(gr.email_address()))
                        .unwrap_or_default()
                        .to_string(),
                    permission: g
                        .permission()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .map_err(|e| classify_sdk_error(&e, "s3:GetBucketAcl", s))
}

pub async fn bucket_versioning(c: &Client, n: &str, s: &Scope) -> Collected<Versioning> {
    c.get_bucket_versioning()
        .bucket(n)
        .send()
        .await
        .map(|o| Versioning {
            status: o.status().map(|v| v.as_str().to_string()),
            mfa_delete: o.mfa_delete().map(|v| v.as_str().to_string()),
        })
        .map_err(|e| classify_sdk_error(&e, "s3:GetBucketVersioning", s))
}

/// `None`: no default encryption configuration.
pub async fn bucket_encryption(c: &Client, n: &str, s: &Scope) -> Collected<Option<Vec<String>>> {
    match c.get_bucket_encryption().bucket(n).send().await {
        Ok(o) => Ok(o.server_side_encryption_configuration().map(|cfg| {
            cfg.rules()
                .iter()
                .filter_map(|r| r.apply_server_side_encryption_by_default())
                .map(|d| d.sse_algorithm().as_str().to_string())
                .collect()
        })),
        Err(e) if error_code(&e) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
            Ok(None)
        }
        Err(e) => Err(classify_sdk_error(&e, "s3:GetBucketEncryption", s)),
    }
}

fn lifecycle_rule(r: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let expiration = r.expiration();
    let transitions = r.transitions();
    let filter = r.filter().map(|f| format!("{f:?}")).or_else(|| {
        #[allow(deprecated)]
        r.prefix().map(|p| format!("prefix '{p}'"))
    });
    LifecycleRule {
        id: r.id().map(str::to_string),
        enabled: r.status().as_str() == "Enabled",
        filter,
        expiration_days: expiration.and_then(|e| e.days()),
        has_expiration: expiration.is_some_and(|e| e.days().is_some() || e.date().is_some()),
        transition_days: transitions.iter().filter_map(|t| t.days()).collect(),
        has_transition: !transitions.is_empty(),
        noncurrent_expiration_days: r
            .noncurrent_version_expiration()
            .and_then(|n| n.noncurrent_days()),
    }
}

async fn account_public_access_block(
    clients: &Clients,
    scope: &Scope,
) -> Collected<Option<PublicAccessBlock>> {
    let client = clients.s3control(&scope.region);
    match client
        .get_public_access_block()
        .account_id(&scope.account)
        .send()
        .await
    {
        Ok(o) => Ok(o
            .public_access_block_configuration()
            .map(|p| PublicAccessBlock {
                block_public_acls: p.block_public_acls().unwrap_or(false),
                ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                block_public_policy: p.block_public_policy().unwrap_or(false),
                restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
            })),
        Err(e) if error_code(&e) == Some("NoSuchPublicAccessBlockConfiguration") => Ok(None),
        Err(e) => Err(classify_sdk_error(
            &e,
            "s3control:GetPublicAccessBlock",
            scope,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::{mocked_client, test_scope};
    use crate::evidence::ErrorKind;
    use aws_sdk_s3::operation::get_bucket_lifecycle_configuration::GetBucketLifecycleConfigurationError;
    use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyError;
    use aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockError;
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;

    fn code(c: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(c)
            .message(format!("{c} (mocked)"))
            .build()
    }

    #[tokio::test]
    async fn not_configured_answers_are_facts() {
        let client = mocked_client!(
            aws_sdk_s3,
            mock!(aws_sdk_s3::Client::get_bucket_lifecycle_configuration).then_error(|| {
                GetBucketLifecycleConfigurationError::generic(code("NoSuchLifecycleConfiguration"))
            }),
            mock!(aws_sdk_s3::Client::get_bucket_policy)
                .then_error(|| GetBucketPolicyError::generic(code("NoSuchBucketPolicy"))),
            mock!(aws_sdk_s3::Client::get_public_access_block).then_error(|| {
                GetPublicAccessBlockError::generic(code("NoSuchPublicAccessBlockConfiguration"))
            }),
        );
        let scope = test_scope();
        assert_eq!(bucket_lifecycle(&client, "b", &scope).await, Ok(None));
        assert_eq!(bucket_policy(&client, "b", &scope).await, Ok(None));
        assert_eq!(
            bucket_public_access_block(&client, "b", &scope).await,
            Ok(None)
        );
    }

    #[tokio::test]
    async fn denied_and_throttled_calls_are_typed_errors() {
        let client = mocked_client!(
            aws_sdk_s3,
            mock!(aws_sdk_s3::Client::get_bucket_lifecycle_configuration)
                .then_error(|| GetBucketLifecycleConfigurationError::generic(code("AccessDenied"))),
            mock!(aws_sdk_s3::Client::get_bucket_policy)
                .then_error(|| GetBucketPolicyError::generic(code("SlowDown"))),
        );
        let scope = test_scope();
        let err = bucket_lifecycle(&client, "b", &scope).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert_eq!(err.operation, "s3:GetBucketLifecycleConfiguration");
        assert_eq!(err.region, "us-east-1");
        assert_eq!(err.account, "111122223333");
        assert!(
            err.message.contains("AccessDenied (mocked)"),
            "{}",
            err.message
        );
        let err = bucket_policy(&client, "b", &scope).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
    }

    #[test]
    fn locations_normalise() {
        assert_eq!(normalise_location(None), "us-east-1");
        assert_eq!(normalise_location(Some("")), "us-east-1");
        assert_eq!(normalise_location(Some("EU")), "eu-west-1");
        assert_eq!(normalise_location(Some("ap-south-1")), "ap-south-1");
    }
}
