// aws4fetch's signer alone, for src/aws/sign.ts to load on first use: importing the package
// itself lazily would keep all of it (its fetch client too), as a namespace cannot be shaken.
export { AwsV4Signer } from "aws4fetch";
