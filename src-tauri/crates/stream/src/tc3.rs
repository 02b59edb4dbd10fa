//! TC3-HMAC-SHA256, the request signature of TencentCloud API 3.0 (tencent-cloud.md §7.3), for both
//! sides: the CSS client signs with it, and the sandbox checks a request the way Tencent does.
//!
//! The steps, exactly as documented: a canonical request (method, `/`, the query string, the signed
//! headers lower-cased, trimmed and sorted as `name:value\n`, their names joined by `;`, and the
//! lower-case hex SHA-256 of the exact body bytes); a string to sign over its hash with the timestamp
//! and the credential scope `Date/service/tc3_request`, where `Date` is the **UTC** date of the
//! timestamp; a signing key derived from `"TC3" + SecretKey` by HMAC over the date, the service and
//! `tc3_request`; and the `Authorization` header. Only the signature arithmetic lives here: which
//! headers a client sends, and how stale a timestamp may be, are the caller's.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Tencent refuses a timestamp more than five minutes from its own clock (`AuthFailure.SignatureExpire`).
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// A request as the signature sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `POST` or `GET`.
    pub method: &'a str,
    /// Empty for POST; the URL-encoded query string for GET.
    pub query: &'a str,
    /// The headers to sign (at least `content-type` and `host`), in any order and case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes (empty for GET).
    pub payload: &'a [u8],
}

/// The canonical request and the `SignedHeaders` list it was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    pub request: String,
    pub signed_headers: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Step 1: the canonical request. Header names and values are lower-cased and trimmed, sorted by
/// name, each line ends with `\n` (the last one too), then the separator `\n`.
pub fn canonical_request(req: &Request<'_>) -> Canonical {
    let mut headers: Vec<(String, String)> =
        req.headers.iter().map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase())).collect();
    headers.sort();
    let lines: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let request = format!(
        "{}\n/\n{}\n{lines}\n{signed_headers}\n{}",
        req.method.to_ascii_uppercase(),
        req.query,
        sha256_hex(req.payload)
    );
    Canonical { request, signed_headers }
}

/// The UTC date (`YYYY-MM-DD`) of a unix timestamp: the credential scope's date. A local date would
/// break every call made near midnight.
pub fn utc_date(timestamp: u64) -> String {
    let at = i64::try_from(timestamp)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let d = at.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Step 2: `TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{hex(sha256(canonical))}`.
pub fn string_to_sign(timestamp: u64, service: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{}/{service}/tc3_request\n{}",
        utc_date(timestamp),
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Step 3: the signing key (`"TC3"+SecretKey` → date → service → `tc3_request`) and the signature.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

/// Steps 1–4: the `Authorization` header value for `req`, signed at `timestamp` for `service`.
pub fn authorization(secret_id: &str, secret_key: &str, service: &str, timestamp: u64, req: &Request<'_>) -> String {
    let canonical = canonical_request(req);
    let date = utc_date(timestamp);
    let sig = signature(secret_key, &date, service, &string_to_sign(timestamp, service, &canonical.request));
    format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, SignedHeaders={}, Signature={sig}",
        canonical.signed_headers
    )
}

/// An `Authorization` header taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub secret_id: String,
    pub date: String,
    pub service: String,
    /// Lower-case header names, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`.
pub fn parse_authorization(header: &str) -> Result<Authorization, String> {
    let rest = header
        .trim()
        .strip_prefix(ALGORITHM)
        .ok_or_else(|| format!("the Authorization header must start with {ALGORITHM}"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or("the Authorization header has a part without '='")?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            other => return Err(format!("the Authorization header has an unknown part {other:?}")),
        }
    }
    let credential = credential.ok_or("the Authorization header has no Credential")?;
    let mut scope = credential.split('/');
    let (Some(secret_id), Some(date), Some(service), Some("tc3_request"), None) =
        (scope.next(), scope.next(), scope.next(), scope.next(), scope.next())
    else {
        return Err("Credential must be SecretId/Date/service/tc3_request".into());
    };
    let signed_headers: Vec<String> = signed
        .ok_or("the Authorization header has no SignedHeaders")?
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    Ok(Authorization {
        secret_id: secret_id.to_string(),
        date: date.to_string(),
        service: service.to_string(),
        signed_headers,
        signature: signature.ok_or("the Authorization header has no Signature")?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // tencent-cloud.md §7.3: the documented keys.
    const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    const JSON_CT: &str = "application/json; charset=utf-8";

    fn post<'a>(host: &'a str, headers: &'a mut Vec<(&'a str, &'a str)>, body: &'a [u8]) -> Request<'a> {
        headers.push(("Host", host));
        Request { method: "POST", query: "", headers, payload: body }
    }

    #[test]
    fn the_documented_post_example_signs_to_the_documented_signature() {
        let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let mut headers = vec![("Content-Type", JSON_CT)];
        let req = post("cvm.tencentcloudapi.com", &mut headers, body);
        let canonical = canonical_request(&req);
        assert!(
            canonical.request.ends_with("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"),
            "the hashed payload is the documented one: {}",
            canonical.request
        );
        assert_eq!(
            sha256_hex(canonical.request.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
            "the hashed canonical request is the documented one"
        );
        let sts = string_to_sign(1551113065, "cvm", &canonical.request);
        assert_eq!(
            signature(KEY, "2019-02-25", "cvm", &sts),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(
            authorization(ID, KEY, "cvm", 1551113065, &req),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn the_documented_get_example_signs_to_the_documented_signature() {
        let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "cvm.tencentcloudapi.com")];
        let req = Request { method: "GET", query: "Limit=10&Offset=0", headers: &headers, payload: b"" };
        let canonical = canonical_request(&req);
        assert_eq!(
            sha256_hex(canonical.request.as_bytes()),
            "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7"
        );
        let sts = string_to_sign(1539084154, "cvm", &canonical.request);
        assert_eq!(
            signature(KEY, &utc_date(1539084154), "cvm", &sts),
            "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474"
        );
    }

    #[test]
    fn the_live_service_vector_signs_to_its_signature() {
        let body = br#"{"AppName":"live","DomainName":"5000.livepush.myqcloud.com","StreamName":"stream1"}"#;
        let mut headers = vec![("Content-Type", JSON_CT)];
        let req = post("live.tencentcloudapi.com", &mut headers, body);
        let canonical = canonical_request(&req);
        assert!(canonical.request.ends_with("b2f67e120fc077774875992fd1e407b9041ca2ee58cd12e82fae53402595993e"));
        assert_eq!(
            sha256_hex(canonical.request.as_bytes()),
            "7fd8da9df755b5b4f64d5dcc1d25aa461c16302f9471676a88ad05909cfd2ec6"
        );
        assert_eq!(utc_date(1700000000), "2023-11-14");
        let auth = authorization(ID, KEY, "live", 1700000000, &req);
        assert!(auth.ends_with("Signature=560a33c9ac43f6db4f678dcce8355c8c21f79dd681a345367772888a750cda7d"), "{auth}");
    }

    #[test]
    fn the_canonical_request_sorts_lowercases_and_trims_headers_and_ends_each_line() {
        let headers = [("  Host ", " LIVE.tencentcloudapi.com "), ("Content-Type", "Application/JSON")];
        let req = Request { method: "post", query: "", headers: &headers, payload: b"{}" };
        let c = canonical_request(&req);
        assert_eq!(c.signed_headers, "content-type;host", "names sorted and lower-cased");
        assert_eq!(
            c.request,
            format!(
                "POST\n/\n\ncontent-type:application/json\nhost:live.tencentcloudapi.com\n\ncontent-type;host\n{}",
                sha256_hex(b"{}")
            ),
            "the last header line ends with \\n, then the separator \\n"
        );
    }

    #[test]
    fn any_change_to_the_signed_parts_changes_the_signature() {
        let sign = |host: &str, ct: &str, body: &[u8], ts: u64| {
            let headers = [("Content-Type", ct), ("Host", host)];
            authorization(ID, KEY, "live", ts, &Request { method: "POST", query: "", headers: &headers, payload: body })
        };
        let base = sign("live.tencentcloudapi.com", JSON_CT, b"{}", 1700000000);
        assert_ne!(base, sign("live.intl.tencentcloudapi.com", JSON_CT, b"{}", 1700000000), "host is signed");
        assert_ne!(base, sign("live.tencentcloudapi.com", "application/json", b"{}", 1700000000), "content-type is");
        assert_ne!(base, sign("live.tencentcloudapi.com", JSON_CT, b"{ }", 1700000000), "every body byte is");
        assert_ne!(base, sign("live.tencentcloudapi.com", JSON_CT, b"{}", 1700000001), "the timestamp is");
    }

    #[test]
    fn the_date_is_utc_even_when_the_local_day_would_differ() {
        // 2023-11-14 23:59:59 UTC is already the 15th in China (UTC+8).
        assert_eq!(utc_date(1700006399), "2023-11-14");
        assert_eq!(utc_date(1700006400), "2023-11-15");
    }

    #[test]
    fn an_authorization_header_parses_back_into_its_parts() {
        let headers = [("Content-Type", JSON_CT), ("Host", "h")];
        let header = authorization(
            ID,
            KEY,
            "live",
            1700000000,
            &Request { method: "POST", query: "", headers: &headers, payload: b"" },
        );
        let a = parse_authorization(&header).unwrap();
        assert_eq!((a.secret_id.as_str(), a.date.as_str(), a.service.as_str()), (ID, "2023-11-14", "live"));
        assert_eq!(a.signed_headers, ["content-type", "host"]);
        assert_eq!(a.signature.len(), 64);
        for bad in [
            "",
            "HMAC-SHA1 Credential=a/b/c/tc3_request",
            "TC3-HMAC-SHA256 Credential=a/b/tc3_request, SignedHeaders=host, Signature=x",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad:?} is malformed");
        }
    }
}
