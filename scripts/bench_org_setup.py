"""Creates an emulated organization of N member accounts, each with a few IAM users, buckets and
a trail, and prints the management account's credentials as shell exports."""
import sys

import boto3

endpoint, members = sys.argv[1], int(sys.argv[2])
kw = dict(endpoint_url=endpoint, region_name="us-east-1")
base = boto3.client("sts", aws_access_key_id="testing", aws_secret_access_key="testing", **kw)


def session(account):
    c = base.assume_role(RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="bench")["Credentials"]
    return boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"]), c


mgmt, creds = session("270000000000")
org = mgmt.client("organizations", **kw)
org.create_organization(FeatureSet="ALL")
for i in range(members):
    account = org.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]["AccountId"]
    s, _ = session(account)
    iam = s.client("iam", **kw)
    for u in range(5):
        iam.create_user(UserName=f"user-{u}")
        iam.create_access_key(UserName=f"user-{u}")
    s3 = s.client("s3", **kw)
    for b in range(3):
        s3.create_bucket(Bucket=f"bench-{account}-{b}")
    s.client("cloudtrail", **kw).create_trail(Name="main", S3BucketName=f"bench-{account}-0", IsMultiRegionTrail=True)
print(f"export AWS_ACCESS_KEY_ID={creds['AccessKeyId']} AWS_SECRET_ACCESS_KEY={creds['SecretAccessKey']} AWS_SESSION_TOKEN={creds['SessionToken']}")
