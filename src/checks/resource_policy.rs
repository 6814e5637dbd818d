//! Resource-policy analysis for CIS AWS Foundations v7.0.0 recommendation 2.21:
//! "Ensure AWS resource policies do not allow unrestricted access using
//! 'Principal': '*'".
//!
//! [`open_statements`] parses the resource policy of an S3 bucket, SNS topic,
//! SQS queue, KMS key or Lambda function and returns every statement that lets
//! *anyone* (any AWS account, or anonymous callers) in.
//!
//! # What counts as an open statement
//!
//! A statement is open when all of the following hold:
//!
//! 1. Its `Effect` is `Allow`. `Deny` statements never open anything. Any other
//!    `Effect` value (including a different letter case such as `allow`) is
//!    rejected as an error, as AWS itself does.
//! 2. Its principal is *everyone* (see below).
//! 3. None of its conditions *restricts the caller* (see below).
//!
//! # Principals that count as "everyone"
//!
//! * `"Principal": "*"`.
//! * An `AWS` principal (`{"AWS": ...}`, a string or an array) with any element
//!   that is `*`, an ARN whose account field contains `*` (for example
//!   `arn:aws:iam::*:root`), or a non-ARN value (account ID) containing `*`.
//! * A `CanonicalUser` principal with any element equal to `*`.
//! * `NotPrincipal` together with `Allow`: it admits every principal that is
//!   not listed, whatever is listed.
//!
//! `Service` and `Federated` principals are never "everyone", and neither is a
//! specific account, role, user or canonical user. A statement with neither
//! `Principal` nor `NotPrincipal` names no one and is not open. Principal type
//! names (`AWS`, `CanonicalUser`) are matched case-insensitively.
//!
//! # Conditions that count as restricting
//!
//! Condition blocks are AND-ed, so a statement is closed as soon as **one**
//! (operator, key) pair restricts. A pair restricts only when all of these hold:
//!
//! * The key (matched case-insensitively) is one of the caller-identifying keys
//!   `aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceArn`,
//!   `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`,
//!   `aws:PrincipalOrgPaths`, `aws:SourceVpc`, `aws:SourceVpce`,
//!   `aws:SourceOrgID`, `aws:SourceOrgPaths`, `aws:userid`, `aws:username`,
//!   `kms:CallerAccount` under one of the positive matching operators
//!   `StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`,
//!   `ArnLike`; or the key is `aws:SourceIp` under `IpAddress`.
//! * The operator has no `...IfExists` suffix (it passes when the key is
//!   absent) and no `ForAllValues:` prefix (vacuously true when the key is
//!   absent). A `ForAnyValue:` prefix is fine. Negated operators
//!   (`StringNotEquals`, `StringNotLike`, `ArnNotEquals`, `ArnNotLike`,
//!   `NotIpAddress`, ...) and all other operators (`Null`, `Bool`, numeric and
//!   date operators) never restrict.
//! * Every value is concrete (values within one key are OR-ed, so a single
//!   wildcard value opens the pair), and there is at least one value:
//!   - a value that is just `*` never restricts, under any operator;
//!   - under the wildcard-aware operators `StringLike`, `ArnEquals` and
//!     `ArnLike`, a value must also have no `*` or `?` in its anchoring part:
//!     the account field of an ARN key (`aws:SourceArn`, `aws:PrincipalArn`),
//!     or, for ARNs without an account such as `arn:aws:s3:::bucket`, the
//!     first segment of the resource; the organization ID (first `/` segment)
//!     of an org-path key; the part before `:` of `aws:userid`; the whole value
//!     of any other key;
//!   - for `aws:SourceIp`, a value with prefix length `/0` (`0.0.0.0/0`,
//!     `::/0`) or equal to `*` does not restrict.
//!
//! Every other condition key (`aws:SecureTransport`, `s3:prefix`,
//! `aws:ResourceAccount`, `sns:Endpoint`, `lambda:FunctionUrlAuthType`, ...)
//! does not restrict the caller.
//!
//! # Errors
//!
//! A document that is not a policy yields `Err` with a message naming the
//! problem: invalid JSON, a top level that is not an object, a missing
//! `Statement`, a `Statement` that is neither an object nor an array, and
//! statements with wrong element types (missing or invalid `Effect`, missing
//! `Action`/`NotAction`, both `Principal` and `NotPrincipal`, malformed
//! `Principal` or `Condition`). All statements are validated, `Deny` ones too.

use serde_json::{Map, Value};

/// One statement that admits everyone.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenStatement {
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
    /// Zero-based position of the statement in the `Statement` array (0 when
    /// `Statement` is a single object).
    pub index: usize,
    /// The actions as written; for `NotAction` a single entry
    /// `NotAction: ["a", "b"]`.
    pub actions: Vec<String>,
    /// Human-readable explanation of why the statement is open.
    pub reason: String,
}

/// Parses an IAM resource-policy document and returns the Allow statements
/// that admit any principal without a restricting condition. Err(message) for
/// a document that is not a policy (not JSON, no Statement, wrong types) — the
/// message names what is wrong.
pub fn open_statements(policy: &str) -> Result<Vec<OpenStatement>, String> {
    let doc: Value =
        serde_json::from_str(policy).map_err(|e| format!("policy is not valid JSON: {e}"))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| format!("policy must be a JSON object, found {}", kind(&doc)))?;
    let statements: Vec<&Value> = match obj.get("Statement") {
        None => return Err("policy has no Statement element".to_string()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        Some(other) => {
            return Err(format!(
                "Statement must be an object or an array of objects, found {}",
                kind(other)
            ))
        }
    };
    let mut open = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        let statement = statement.as_object().ok_or_else(|| {
            format!(
                "statement {index} must be an object, found {}",
                kind(statement)
            )
        })?;
        if let Some(found) =
            check_statement(index, statement).map_err(|e| format!("statement {index}: {e}"))?
        {
            open.push(found);
        }
    }
    Ok(open)
}

/// Who a statement's principal element admits.
enum Admits {
    /// A `Principal` that is everyone, with a description of the matching part.
    Everyone(String),
    /// `NotPrincipal`: everyone except the listed principals.
    AllButListed,
    /// A specific principal (or none at all).
    Specific,
}

/// The verdict on one (operator, key) condition pair.
struct CondVerdict {
    restricts: bool,
    /// Description used in reasons (only for non-restricting pairs).
    description: String,
}

fn check_statement(index: usize, s: &Map<String, Value>) -> Result<Option<OpenStatement>, String> {
    let sid = match s.get("Sid") {
        None | Some(Value::Null) => None,
        Some(Value::String(sid)) => Some(sid.clone()),
        Some(other) => return Err(format!("Sid must be a string, found {}", kind(other))),
    };

    let allow = match s.get("Effect") {
        None => return Err("missing Effect".to_string()),
        Some(Value::String(e)) if e == "Allow" => true,
        Some(Value::String(e)) if e == "Deny" => false,
        Some(Value::String(e)) => {
            return Err(format!(
                "Effect must be \"Allow\" or \"Deny\", found {}",
                quote(e)
            ))
        }
        Some(other) => {
            return Err(format!(
                "Effect must be the string \"Allow\" or \"Deny\", found {}",
                kind(other)
            ))
        }
    };

    let actions = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), None) => string_list(a).map_err(|e| format!("Action {e}"))?,
        (None, Some(n)) => {
            let list = string_list(n).map_err(|e| format!("NotAction {e}"))?;
            let quoted: Vec<String> = list.iter().map(|a| quote(a)).collect();
            vec![format!("NotAction: [{}]", quoted.join(", "))]
        }
        (Some(_), Some(_)) => return Err("has both Action and NotAction".to_string()),
        (None, None) => return Err("has neither Action nor NotAction".to_string()),
    };

    let admits = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), None) => match principal_everyone(p).map_err(|e| format!("Principal {e}"))? {
            Some(description) => Admits::Everyone(description),
            None => Admits::Specific,
        },
        (None, Some(np)) => {
            principal_everyone(np).map_err(|e| format!("NotPrincipal {e}"))?;
            Admits::AllButListed
        }
        (Some(_), Some(_)) => return Err("has both Principal and NotPrincipal".to_string()),
        (None, None) => Admits::Specific,
    };

    let conditions = conditions(s.get("Condition")).map_err(|e| format!("Condition {e}"))?;

    if !allow || matches!(admits, Admits::Specific) || conditions.iter().any(|c| c.restricts) {
        return Ok(None);
    }

    let reason = match (&admits, conditions.len()) {
        (Admits::Everyone(p), 0) => format!("{p} with no condition restricting the caller"),
        (Admits::AllButListed, 0) => {
            "NotPrincipal with Allow admits every principal not listed".to_string()
        }
        (admits, n) => {
            let subject = match admits {
                Admits::Everyone(p) => p.clone(),
                _ => "NotPrincipal with Allow admits every principal not listed".to_string(),
            };
            let descriptions: Vec<&str> =
                conditions.iter().map(|c| c.description.as_str()).collect();
            if n == 1 {
                format!(
                    "{subject}; its only condition ({}) does not restrict the caller",
                    descriptions[0]
                )
            } else {
                format!(
                    "{subject}; none of its {n} conditions ({}) restricts the caller",
                    descriptions.join("; ")
                )
            }
        }
    };

    Ok(Some(OpenStatement {
        sid,
        index,
        actions,
        reason,
    }))
}

/// Returns a description of the "everyone" part of a principal element, or
/// `None` when it names specific principals. Errors on malformed principals.
fn principal_everyone(p: &Value) -> Result<Option<String>, String> {
    match p {
        Value::String(s) if s == "*" => Ok(Some("Principal \"*\"".to_string())),
        Value::String(s) => Err(format!(
            "must be \"*\" or an object, found the string {}",
            quote(s)
        )),
        Value::Object(map) => {
            let mut found = None;
            for (ty, value) in map {
                let values = string_list(value).map_err(|e| format!("{} {e}", quote(ty)))?;
                if found.is_some() {
                    continue;
                }
                let hit = if ty.eq_ignore_ascii_case("AWS") {
                    values.iter().find(|v| aws_principal_is_everyone(v))
                } else if ty.eq_ignore_ascii_case("CanonicalUser") {
                    values.iter().find(|v| v.trim() == "*")
                } else {
                    None
                };
                if let Some(v) = hit {
                    found = Some(format!("Principal {{{}: {}}}", quote(ty), quote(v)));
                }
            }
            Ok(found)
        }
        other => Err(format!("must be \"*\" or an object, found {}", kind(other))),
    }
}

fn aws_principal_is_everyone(v: &str) -> bool {
    let v = v.trim();
    if v.starts_with("arn:") {
        v.split(':')
            .nth(4)
            .is_some_and(|account| account.contains('*'))
    } else {
        v.contains('*')
    }
}

/// Keys that identify (or bound) the caller.
const IDENTITY_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcearn",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
];

/// Positive operators that can pin an identity key to concrete values.
const IDENTITY_OPERATORS: &[&str] = &[
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
];

/// Operators under which `*` and `?` in a value are wildcards.
const WILDCARD_OPERATORS: &[&str] = &["stringlike", "arnequals", "arnlike"];

fn conditions(c: Option<&Value>) -> Result<Vec<CondVerdict>, String> {
    let ops = match c {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(ops)) => ops,
        Some(other) => return Err(format!("must be an object, found {}", kind(other))),
    };
    let mut verdicts = Vec::new();
    for (op, block) in ops {
        let block = block.as_object().ok_or_else(|| {
            format!(
                "operator {} must map to an object of keys, found {}",
                quote(op),
                kind(block)
            )
        })?;
        for (key, value) in block {
            let values = condition_values(value)
                .map_err(|e| format!("{} key {} {e}", quote(op), quote(key)))?;
            verdicts.push(judge(op, key, &values));
        }
    }
    Ok(verdicts)
}

fn condition_values(v: &Value) -> Result<Vec<String>, String> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                scalar(i).ok_or_else(|| {
                    format!(
                        "must have string, number or boolean values, found {}",
                        kind(i)
                    )
                })
            })
            .collect(),
        other => scalar(other).map(|s| vec![s]).ok_or_else(|| {
            format!(
                "must be a string, number, boolean or array of them, found {}",
                kind(other)
            )
        }),
    }
}

/// Decides whether one (operator, key, values) triple restricts the caller.
fn judge(op: &str, key: &str, values: &[String]) -> CondVerdict {
    let open = |description: String| CondVerdict {
        restricts: false,
        description,
    };
    let key_l = key.to_ascii_lowercase();
    let is_ip = key_l == "aws:sourceip";
    if !is_ip && !IDENTITY_KEYS.contains(&key_l.as_str()) {
        return open(key.to_string());
    }

    let op_l = op.to_ascii_lowercase();
    if op_l.starts_with("forallvalues:") {
        return open(format!(
            "{key} under {op}, which is true when the key is absent"
        ));
    }
    let base = op_l.strip_prefix("foranyvalue:").unwrap_or(&op_l);
    if base.ends_with("ifexists") {
        return open(format!(
            "{key} under {op}, which passes when the key is absent"
        ));
    }
    if base.contains("not") {
        return open(format!(
            "{key} under {op}, a negated operator that admits every other value"
        ));
    }
    let operator_fits = if is_ip {
        base == "ipaddress"
    } else {
        IDENTITY_OPERATORS.contains(&base)
    };
    if !operator_fits {
        return open(format!(
            "{key} under {op}, which does not limit it to concrete values"
        ));
    }
    if values.is_empty() {
        return open(format!("{key} under {op} with no values"));
    }

    let wildcard_aware = WILDCARD_OPERATORS.contains(&base);
    for v in values {
        let t = v.trim();
        if t == "*" {
            return open(format!("{key} with wildcard value \"*\""));
        }
        if is_ip {
            if t.rsplit_once('/').is_some_and(|(_, len)| len.trim() == "0") {
                return open(format!("{key} admitting every address ({t})"));
            }
        } else if wildcard_aware && anchor_has_wildcard(&key_l, t) {
            return open(format!("{key} under {op} with wildcard value {}", quote(t)));
        }
    }
    CondVerdict {
        restricts: true,
        description: format!("{key} under {op}"),
    }
}

/// Whether the part of `value` that pins down the caller contains a wildcard.
fn anchor_has_wildcard(key_l: &str, value: &str) -> bool {
    let wild = |s: &str| s.contains('*') || s.contains('?');
    match key_l {
        "aws:sourcearn" | "aws:principalarn" => {
            let parts: Vec<&str> = value.splitn(6, ':').collect();
            if parts.len() < 6 {
                return wild(value);
            }
            if parts[4].is_empty() {
                let first = parts[5].split(['/', ':']).next().unwrap_or("");
                first.is_empty() || wild(first)
            } else {
                wild(parts[4])
            }
        }
        "aws:principalorgpaths" | "aws:sourceorgpaths" => {
            wild(value.split('/').next().unwrap_or(value))
        }
        "aws:userid" => wild(value.split(':').next().unwrap_or(value)),
        _ => wild(value),
    }
}

fn string_list(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "must be a string or an array of strings, found an element of type {}",
                    kind(other)
                )),
            })
            .collect(),
        other => Err(format!(
            "must be a string or an array of strings, found {}",
            kind(other)
        )),
    }
}

fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-statement policy with the given principal element (raw JSON
    /// member such as `"Principal": "*"`) and optional condition object.
    fn policy(principal: &str, condition: Option<&str>) -> String {
        let cond = condition
            .map(|c| format!(r#", "Condition": {c}"#))
            .unwrap_or_default();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "S", "Effect": "Allow", {principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"{cond}}}]}}"#
        )
    }

    fn open(doc: &str) -> Vec<OpenStatement> {
        open_statements(doc).unwrap_or_else(|e| panic!("unexpected error {e} for {doc}"))
    }

    fn is_open(principal: &str, condition: Option<&str>) -> bool {
        !open(&policy(principal, condition)).is_empty()
    }

    fn err(doc: &str) -> String {
        open_statements(doc).expect_err("expected an error")
    }

    // ---- open ----

    #[test]
    fn star_principal_is_open() {
        let found = open(&policy(r#""Principal": "*""#, None));
        assert_eq!(
            found,
            vec![OpenStatement {
                sid: Some("S".to_string()),
                index: 0,
                actions: vec!["s3:GetObject".to_string()],
                reason: "Principal \"*\" with no condition restricting the caller".to_string(),
            }]
        );
    }

    #[test]
    fn aws_star_is_open() {
        let found = open(&policy(r#""Principal": {"AWS": "*"}"#, None));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason,
            "Principal {\"AWS\": \"*\"} with no condition restricting the caller"
        );
    }

    #[test]
    fn aws_array_containing_star_is_open() {
        assert!(is_open(
            r#""Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}"#,
            None
        ));
    }

    #[test]
    fn wildcard_account_arn_is_open() {
        let found = open(&policy(
            r#""Principal": {"AWS": "arn:aws:iam::*:root"}"#,
            None,
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].reason.contains("arn:aws:iam::*:root"));
    }

    #[test]
    fn canonical_user_star_is_open() {
        assert!(is_open(r#""Principal": {"CanonicalUser": "*"}"#, None));
    }

    #[test]
    fn not_principal_with_allow_is_open() {
        let found = open(&policy(
            r#""NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}"#,
            None,
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason,
            "NotPrincipal with Allow admits every principal not listed"
        );
    }

    #[test]
    fn only_secure_transport_condition_is_open() {
        let found = open(&policy(
            r#""Principal": {"AWS": "*"}"#,
            Some(r#"{"Bool": {"aws:SecureTransport": "true"}}"#),
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason,
            "Principal {\"AWS\": \"*\"}; its only condition (aws:SecureTransport) does not restrict the caller"
        );
    }

    #[test]
    fn if_exists_operator_is_open() {
        let found = open(&policy(
            r#""Principal": "*""#,
            Some(r#"{"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}"#),
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].reason.contains("StringEqualsIfExists"));
    }

    #[test]
    fn negated_operator_is_open() {
        assert!(is_open(
            r#""Principal": "*""#,
            Some(r#"{"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}"#)
        ));
    }

    #[test]
    fn for_all_values_is_open() {
        assert!(is_open(
            r#""Principal": "*""#,
            Some(
                r#"{"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": ["o-abc/r-1/ou-1/"]}}"#
            )
        ));
    }

    #[test]
    fn source_ip_any_is_open() {
        assert!(is_open(
            r#""Principal": "*""#,
            Some(r#"{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}}"#)
        ));
        assert!(is_open(
            r#""Principal": "*""#,
            Some(r#"{"IpAddress": {"aws:SourceIp": "::/0"}}"#)
        ));
    }

    #[test]
    fn wildcard_source_account_is_open() {
        let found = open(&policy(
            r#""Principal": "*""#,
            Some(r#"{"StringEquals": {"aws:SourceAccount": "*"}}"#),
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].reason.contains("wildcard value \"*\""));
    }

    #[test]
    fn like_with_wildcard_account_is_open() {
        assert!(is_open(
            r#""Principal": "*""#,
            Some(r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:topic"}}"#)
        ));
        assert!(is_open(
            r#""Principal": "*""#,
            Some(r#"{"StringLike": {"aws:SourceAccount": "1111*"}}"#)
        ));
    }

    #[test]
    fn irrelevant_keys_are_open() {
        let found = open(&policy(
            r#""Principal": "*""#,
            Some(
                r#"{"StringEquals": {"aws:ResourceAccount": "111122223333", "lambda:FunctionUrlAuthType": "NONE"}, "StringLike": {"s3:prefix": "home/"}}"#,
            ),
        ));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].reason.contains("none of its 3 conditions"),
            "{}",
            found[0].reason
        );
    }

    #[test]
    fn one_open_statement_among_closed_ones() {
        let doc = r#"{"Statement": [
            {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sqs:*", "Resource": "*"},
            {"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": "sqs:DeleteQueue", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "*"},
            {"Sid": "Svc", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "*"}
        ]}"#;
        let found = open(doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 2);
        assert_eq!(found[0].sid, None);
        assert_eq!(
            found[0].actions,
            vec![
                "sqs:SendMessage".to_string(),
                "sqs:ReceiveMessage".to_string()
            ]
        );
    }

    #[test]
    fn not_action_is_reported() {
        let doc = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "NotAction": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"}}"#;
        let found = open(doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 0);
        assert_eq!(
            found[0].actions,
            vec!["NotAction: [\"s3:DeleteBucket\", \"s3:PutBucketPolicy\"]".to_string()]
        );
    }

    // ---- not open ----

    #[test]
    fn deny_star_is_not_open() {
        let doc = r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#;
        assert!(open(doc).is_empty());
    }

    #[test]
    fn service_principal_is_not_open() {
        assert!(!is_open(
            r#""Principal": {"Service": "sns.amazonaws.com"}"#,
            None
        ));
        assert!(!is_open(
            r#""Principal": {"Federated": "cognito-identity.amazonaws.com"}"#,
            None
        ));
    }

    #[test]
    fn specific_account_is_not_open() {
        assert!(!is_open(
            r#""Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"]}"#,
            None
        ));
    }

    #[test]
    fn source_account_restricts() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"StringEquals": {"aws:SourceAccount": "111122223333"}}"#)
        ));
    }

    #[test]
    fn principal_org_id_restricts() {
        assert!(!is_open(
            r#""Principal": {"AWS": "*"}"#,
            Some(r#"{"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}"#)
        ));
    }

    #[test]
    fn arn_like_source_arn_restricts() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket"}}"#)
        ));
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}"#)
        ));
    }

    #[test]
    fn condition_keys_are_case_insensitive() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"StringEquals": {"AWS:SOURCEACCOUNT": "111122223333"}}"#)
        ));
    }

    #[test]
    fn source_ip_range_restricts() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#)
        ));
    }

    #[test]
    fn source_vpce_restricts() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(r#"{"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}"#)
        ));
    }

    #[test]
    fn kms_caller_account_restricts() {
        assert!(!is_open(
            r#""Principal": {"AWS": "*"}"#,
            Some(
                r#"{"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}"#
            )
        ));
    }

    #[test]
    fn org_paths_like_and_for_any_value_restrict() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(
                r#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}"#
            )
        ));
    }

    #[test]
    fn one_restricting_condition_among_others_closes() {
        assert!(!is_open(
            r#""Principal": "*""#,
            Some(
                r#"{"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceAccount": ["111122223333", "444455556666"]}}"#
            )
        ));
    }

    #[test]
    fn empty_statement_list_is_not_open() {
        assert!(open(r#"{"Version": "2012-10-17", "Statement": []}"#).is_empty());
    }

    #[test]
    fn sns_default_topic_policy_is_not_open() {
        let doc = r#"{
          "Version": "2008-10-17",
          "Id": "__default_policy_ID",
          "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": "arn:aws:sns:us-east-1:111122223333:my-topic",
            "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}}
          }]
        }"#;
        assert!(open(doc).is_empty());
    }

    #[test]
    fn kms_default_key_policy_is_not_open() {
        let doc = r#"{
          "Version": "2012-10-17",
          "Id": "key-default-1",
          "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*"
          }]
        }"#;
        assert!(open(doc).is_empty());
    }

    // ---- errors ----

    #[test]
    fn not_json_is_an_error() {
        assert!(err("not a policy {").contains("not valid JSON"));
    }

    #[test]
    fn missing_statement_is_an_error() {
        assert!(err(r#"{"Version": "2012-10-17"}"#).contains("no Statement"));
    }

    #[test]
    fn numeric_statement_is_an_error() {
        let e = err(r#"{"Statement": 7}"#);
        assert!(e.contains("Statement") && e.contains("a number"), "{e}");
    }

    #[test]
    fn bad_effect_is_an_error() {
        let e = err(r#"{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:*"}]}"#);
        assert!(e.contains("statement 0") && e.contains("\"Maybe\""), "{e}");
        let e = err(r#"{"Statement": [{"Effect": "allow", "Principal": "*", "Action": "s3:*"}]}"#);
        assert!(e.contains("Effect"), "{e}");
    }

    #[test]
    fn malformed_elements_are_errors() {
        let e = err(r#"{"Statement": [{"Effect": "Allow", "Principal": 5, "Action": "s3:*"}]}"#);
        assert!(e.contains("Principal"), "{e}");
        let e = err(
            r#"{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": []}]}"#,
        );
        assert!(e.contains("Condition"), "{e}");
        let e = err(r#"{"Statement": [{"Effect": "Allow", "Principal": "*"}]}"#);
        assert!(e.contains("Action"), "{e}");
        let e = err(r#"[1, 2]"#);
        assert!(e.contains("JSON object"), "{e}");
    }
}
