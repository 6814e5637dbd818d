//! Turns SDK errors into typed [`CollectError`]s that keep the operation, region and account.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::evidence::{CollectError, ErrorKind};

/// Where a call is made: the account and region, and whether the region is opt-in (where an
/// invalid-token answer means the region is not enabled).
#[derive(Debug, Clone)]
pub struct Scope {
    pub account: String,
    pub region: String,
    pub opt_in_region: bool,
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthorizationErrorException",
    "UnauthorizedAccess",
    "Forbidden",
];

const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "LimitExceededException",
    "PriorRequestNotComplete",
];

/// Codes AWS returns for a call into a region the account has not enabled.
const REGION_DISABLED_IN_OPT_IN: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
];

/// Classifies an error code (plus the region's opt-in status) into an [`ErrorKind`].
pub fn classify_code(code: &str, opt_in_region: bool) -> ErrorKind {
    if ACCESS_DENIED.contains(&code) {
        ErrorKind::AccessDenied
    } else if THROTTLED.contains(&code) {
        ErrorKind::Throttled
    } else if code == "OptInRequired"
        || (opt_in_region && REGION_DISABLED_IN_OPT_IN.contains(&code))
    {
        ErrorKind::RegionDisabled
    } else {
        ErrorKind::Service {
            code: code.to_string(),
        }
    }
}

/// Classifies any SDK error.
pub fn classify_sdk_error<E>(
    err: &SdkError<E, HttpResponse>,
    operation: &str,
    scope: &Scope,
) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (kind, message) = match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let kind = match inner.code() {
                Some(code) => classify_code(code, scope.opt_in_region),
                None => ErrorKind::Service {
                    code: format!("HTTP {}", service.raw().status().as_u16()),
                },
            };
            let message = inner
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| DisplayErrorContext(err).to_string());
            (kind, message)
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            (ErrorKind::Transport, DisplayErrorContext(err).to_string())
        }
        SdkError::ResponseError(_) => (
            ErrorKind::Service {
                code: "UnparseableResponse".to_string(),
            },
            DisplayErrorContext(err).to_string(),
        ),
        SdkError::ConstructionFailure(_) => (
            ErrorKind::Service {
                code: "RequestConstructionFailed".to_string(),
            },
            DisplayErrorContext(err).to_string(),
        ),
        _ => (ErrorKind::Transport, DisplayErrorContext(err).to_string()),
    };
    CollectError {
        kind,
        operation: operation.to_string(),
        region: scope.region.clone(),
        account: scope.account.clone(),
        message,
    }
}

/// The AWS error code of an SDK error, when the service sent one.
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(s) => s.err().code(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        assert_eq!(
            classify_code("AccessDenied", false),
            ErrorKind::AccessDenied
        );
        assert_eq!(
            classify_code("UnauthorizedOperation", false),
            ErrorKind::AccessDenied
        );
        assert_eq!(
            classify_code("ThrottlingException", false),
            ErrorKind::Throttled
        );
        assert_eq!(classify_code("SlowDown", false), ErrorKind::Throttled);
        assert_eq!(
            classify_code("OptInRequired", false),
            ErrorKind::RegionDisabled
        );
        assert_eq!(
            classify_code("InvalidClientTokenId", true),
            ErrorKind::RegionDisabled
        );
        assert_eq!(
            classify_code("InvalidClientTokenId", false),
            ErrorKind::Service {
                code: "InvalidClientTokenId".into()
            }
        );
        assert_eq!(
            classify_code("TrailNotFoundException", false),
            ErrorKind::Service {
                code: "TrailNotFoundException".into()
            }
        );
    }
}
