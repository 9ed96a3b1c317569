"""Throwaway servers on 127.0.0.1 for the DVC remote tests: sshd (SFTP) and s3rver (S3)."""
