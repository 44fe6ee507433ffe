use std::collections::HashSet;

use super::{Context, FixAvailability, Group, RuleMeta, security_scopes};
use crate::diagnostic::{Diagnostic, Severity};
use crate::edits::set_attr;
use crate::fix::{Applicability, Fix};
use crate::model::settings::{Decided, Section};

pub const META: RuleMeta = RuleMeta {
    name: "machine-key-weak-algorithm",
    code: "IIS512",
    group: Group::Security,
    summary: "The machine key signs with MD5 or SHA-1 or encrypts with DES or 3DES",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    options: &[],
    doc: include_str!("../../rules/machine-key-weak-algorithm.md"),
};

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for scope in security_scopes(ctx) {
        // Both are trimmed, then compared exactly (RS MachineKeySection,
        // WhiteSpaceTrimStringConverter and MachineKeyValidationConverter). Only written values:
        // the defaults are HMACSHA256 and Auto (AES).
        if let Some(attr) = scope.attr(Section::MachineKey, "validation")
            && seen.insert(attr.range.start)
        {
            let what = match attr.value.trim() {
                "MD5" => Some("signs with MD5"),
                "SHA1" => Some("signs with HMAC-SHA1"),
                // In the legacy modes 3DES and AES as validation sign with HMAC-SHA1; the 4.5
                // mode refuses them.
                "3DES" | "AES" => Some("signs with HMAC-SHA1 (3DES and AES name no signature)"),
                _ => None,
            };
            if let Some(what) = what {
                let fix = set_attr(ctx.text, attr, "HMACSHA256").map(|e| {
                    Fix::new(
                        Applicability::Unsafe,
                        "Set validation=\"HMACSHA256\"",
                        vec![e],
                    )
                });
                out.push(
                    Diagnostic::new(
                        &META,
                        attr.range.clone(),
                        format!(
                            "machineKey validation=\"{}\": ASP.NET {what} the forms ticket, view state and other protected data; use HMACSHA256 or stronger",
                            attr.value
                        ),
                    )
                    .with_fix(fix),
                );
            }
        }
        if let Some(attr) = scope.attr(Section::MachineKey, "decryption")
            && matches!(attr.value.trim(), "DES" | "3DES")
            && seen.insert(attr.range.start)
        {
            // A DES key (16 hex digits) is no AES key: the fix would stop the site.
            let key_fits_aes = match scope.decided(Section::MachineKey, "decryptionKey") {
                Decided::Default => true,
                Decided::Written(key) => {
                    let key = key.value.trim();
                    key.starts_with("AutoGenerate")
                        || (matches!(key.len(), 32 | 48 | 64)
                            && key.bytes().all(|b| b.is_ascii_hexdigit()))
                }
                Decided::Unknown => false,
            };
            let fix = if key_fits_aes {
                set_attr(ctx.text, attr, "AES")
                    .map(|e| Fix::new(Applicability::Unsafe, "Set decryption=\"AES\"", vec![e]))
            } else {
                Some(Fix::new(
                    Applicability::DisplayOnly,
                    "Set decryption=\"AES\" with a new 64-hex-digit decryptionKey: the DES key is too short for AES",
                    Vec::new(),
                ))
            };
            out.push(
                Diagnostic::new(
                    &META,
                    attr.range.clone(),
                    format!(
                        "machineKey decryption=\"{}\": the forms ticket, view state and other protected data are encrypted with {}; use AES",
                        attr.value,
                        if attr.value.trim() == "DES" {
                            "DES, whose 56-bit key is found by brute force"
                        } else {
                            "3DES, a 64-bit block cipher NIST no longer allows for encryption"
                        }
                    ),
                )
                .with_fix(fix),
            );
        }
    }
}
