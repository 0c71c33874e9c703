"""Creates the MinIO bucket named by MINIO_BUCKET if it does not exist yet (idempotent, retried while MinIO starts)."""
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

bucket = os.environ["MINIO_BUCKET"]
s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
for attempt in range(30):
    try:
        s3.head_bucket(Bucket=bucket)
        sys.exit(0)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
        s3.create_bucket(Bucket=bucket)
        print(f"created bucket {bucket}")
        sys.exit(0)
    except EndpointConnectionError:
        time.sleep(2)
sys.exit(f"MinIO at {os.environ['MLFLOW_S3_ENDPOINT_URL']} did not answer")
