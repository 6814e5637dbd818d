//! KMS evidence: keys with their spec, state and rotation.

use serde::{Deserialize, Serialize};

use super::Collected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmsKey {
    pub key_id: String,
    pub arn: String,
    /// `CUSTOMER` or `AWS`.
    pub manager: String,
    /// e.g. `SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`.
    pub spec: String,
    /// e.g. `Enabled`, `Disabled`, `PendingDeletion`.
    pub state: String,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    pub origin: String,
    /// Read only for customer-managed symmetric keys that can rotate; `None` otherwise.
    pub rotation_enabled: Option<Collected<bool>>,
}

impl KmsKey {
    /// Customer-created symmetric keys with AWS-generated material: the keys that can auto-rotate.
    pub fn can_auto_rotate(&self) -> bool {
        self.manager == "CUSTOMER" && self.spec == "SYMMETRIC_DEFAULT" && self.origin == "AWS_KMS"
    }
}
