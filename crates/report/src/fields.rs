//! The analyst's write-up of one detect as labelled fields (When, Source,
//! Targets, Intent, Severity, ...), built once and laid out by the text and
//! Markdown renderers. Every log-derived string passes through the
//! renderer's [`Escape`]; the words around them are picket's.

use std::collections::HashMap;

use picket_model::{Detect, Severity};

use crate::when;
use crate::words::{Escape, TARGETS_SHOWN, capped_list, capped_list_of, count, ports_phrase};

/// One labelled field of a detect.
pub(crate) struct Field {
    /// The label: `When`, `Intent`, `Do`.
    pub(crate) label: &'static str,
    /// The text beside the label, escaped; may be empty when only `items`
    /// matter.
    pub(crate) head: String,
    /// Lines under the head, escaped: severity reasons, recommendations.
    pub(crate) items: Vec<String>,
    /// Whether `items` are a bulleted list (recommendations) or notes under
    /// the head (severity reasons).
    pub(crate) bullets: bool,
}

impl Field {
    /// A field of one sentence.
    fn sentence(label: &'static str, head: String) -> Field {
        Field {
            label,
            head,
            items: Vec::new(),
            bullets: false,
        }
    }
}

/// The headline of a detect, escaped: its title, or what and from whom when
/// it has none.
pub(crate) fn headline(detect: &Detect, escape: Escape) -> String {
    if !detect.title.trim().is_empty() {
        return escape(&detect.title);
    }
    match detect.sources.first() {
        Some(source) => format!("{} from {}", detect.kind.phrase(), escape(source)),
        None => detect.kind.phrase().to_owned(),
    }
}

/// The fields of a detect in the order an analyst reads them. `numbers`
/// gives the report number of related detects shown in blocks.
pub(crate) fn fields(
    detect: &Detect,
    escape: Escape,
    numbers: &HashMap<&str, usize>,
) -> Vec<Field> {
    let mut fields = vec![Field::sentence("When", when_line(detect, escape))];

    let spoofed = format!("(spoofed: {})", detect.spoofed.as_str());
    let source_label = if detect.sources.len() == 1 {
        "Source"
    } else {
        "Sources"
    };
    let sources = capped_list_of(
        &detect.sources,
        detect.source_count(),
        TARGETS_SHOWN,
        escape,
    );
    let sources = if sources.is_empty() {
        format!("not logged {spoofed}")
    } else {
        format!("{sources} {spoofed}")
    };
    fields.push(Field::sentence(source_label, sources));

    if !detect.targets.is_empty() {
        let label = if detect.targets.len() == 1 {
            "Target"
        } else {
            "Targets"
        };
        let targets = capped_list(&detect.targets, TARGETS_SHOWN, escape);
        fields.push(Field::sentence(label, targets));
    }
    match ports_phrase(&detect.target_ports, &detect.protocols, escape) {
        Some(ports) => {
            let label = if detect.target_ports.len() == 1 {
                "Port"
            } else {
                "Ports"
            };
            fields.push(Field::sentence(label, ports));
        }
        None if !detect.protocols.is_empty() => {
            let protocols = capped_list(&detect.protocols, TARGETS_SHOWN, escape);
            fields.push(Field::sentence("Protocol", protocols));
        }
        None => {}
    }

    let mut kind = detect.kind.phrase().to_owned();
    if let Some(scan_type) = detect.scan_type {
        kind.push_str(", ");
        kind.push_str(scan_type.as_str());
        kind.push_str(" scan");
    }
    fields.push(Field::sentence("Kind", kind));

    for (label, text) in [
        ("Targeting", &detect.active_targeting),
        ("Intent", &detect.intent),
        ("Technique", &detect.technique),
        ("History", &detect.history),
        ("Identity", &detect.identity),
    ] {
        if !text.trim().is_empty() {
            fields.push(Field::sentence(label, escape(text)));
        }
    }

    fields.push(severity_field(&detect.severity, escape));

    for (label, list) in [
        ("Do", &detect.recommendations),
        ("Noticed", &detect.observations),
    ] {
        if !list.is_empty() {
            fields.push(Field {
                label,
                head: String::new(),
                items: list.iter().map(|s| escape(s)).collect(),
                bullets: true,
            });
        }
    }

    if !detect.related.is_empty() {
        let related: Vec<String> = detect
            .related
            .iter()
            .map(|id| match numbers.get(id.as_str()) {
                Some(number) => format!("{} (detect {number})", escape(id)),
                None => escape(id),
            })
            .collect();
        fields.push(Field::sentence("Related", related.join(", ")));
    }
    fields
}

/// `2000-04-12 04:49:49 to 04:49:51 (+00:00), over 2 s; 4 packets, seen by
/// ipchains`.
fn when_line(detect: &Detect, escape: Escape) -> String {
    let (mut line, lasted) = when::span(&detect.first_seen, &detect.last_seen, escape);
    if let Some(lasted) = lasted {
        line.push_str(", over ");
        line.push_str(&lasted);
    }
    line.push_str("; ");
    line.push_str(&count(detect.packets, "packet", "packets"));
    if !detect.sensors.is_empty() {
        line.push_str(", seen by ");
        line.push_str(&capped_list(&detect.sensors, TARGETS_SHOWN, escape));
    }
    line
}

/// `low: (criticality 2 + lethality 3) - (system 3 + network 4) = -2`, with
/// the reason for each value under it.
fn severity_field(severity: &Severity, escape: Escape) -> Field {
    let head = format!(
        "{}: (criticality {} + lethality {}) - (system {} + network {}) = {}",
        severity.level.as_str(),
        severity.criticality,
        severity.lethality,
        severity.system_countermeasures,
        severity.network_countermeasures,
        severity.score,
    );
    let values = [
        ("criticality", severity.criticality),
        ("lethality", severity.lethality),
        ("system", severity.system_countermeasures),
        ("network", severity.network_countermeasures),
    ];
    let items = if severity.reasons.iter().all(|r| r.trim().is_empty()) {
        Vec::new()
    } else if severity.reasons.len() == values.len() {
        values
            .iter()
            .zip(&severity.reasons)
            .map(|((name, value), reason)| {
                if reason.trim().is_empty() {
                    format!("{name} {value}")
                } else {
                    format!("{name} {value}: {}", escape(reason))
                }
            })
            .collect()
    } else {
        severity
            .reasons
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| escape(r))
            .collect()
    };
    Field {
        label: "Severity",
        head,
        items,
        bullets: false,
    }
}
