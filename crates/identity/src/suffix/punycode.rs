//! Punycode (RFC 3492) encoding of one label, so that the Unicode rules of
//! the Public Suffix List ("公司.cn") also match the ASCII form that DNS
//! answers carry ("xn--55qx5d.cn").

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The ASCII form of a label: unchanged when it is ASCII already, otherwise
/// "xn--" and its Punycode encoding. `None` when the encoding overflows
/// (labels far longer than DNS allows).
pub fn to_ascii_label(label: &str) -> Option<String> {
    if label.is_ascii() {
        return Some(label.to_owned());
    }
    encode(label).map(|encoded| format!("xn--{encoded}"))
}

/// The Punycode encoding of a string (without the "xn--" prefix).
fn encode(input: &str) -> Option<String> {
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut output: String = input.chars().filter(char::is_ascii).collect();
    let basic_count = u32::try_from(output.len()).ok()?;
    if basic_count > 0 {
        output.push('-');
    }
    let total = u32::try_from(code_points.len()).ok()?;
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic_count;
    while handled < total {
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic_count);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn digit(value: u32) -> char {
    match value {
        0..=25 => char::from(b'a' + value as u8),
        _ => char::from(b'0' + (value - 26) as u8),
    }
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        // Pairs from the Public Suffix List's test cases (tests/data/test_psl.txt).
        assert_eq!(to_ascii_label("公司").as_deref(), Some("xn--55qx5d"));
        assert_eq!(to_ascii_label("食狮").as_deref(), Some("xn--85x722f"));
        assert_eq!(to_ascii_label("中国").as_deref(), Some("xn--fiqs8s"));
        // RFC 3492 section 7.1 style examples with basic code points.
        assert_eq!(to_ascii_label("bücher").as_deref(), Some("xn--bcher-kva"));
        assert_eq!(to_ascii_label("münchen").as_deref(), Some("xn--mnchen-3ya"));
        assert_eq!(to_ascii_label("example").as_deref(), Some("example"));
    }

    #[test]
    fn long_labels_do_not_overflow_silently() {
        let long = "ü".repeat(5000);
        if let Some(encoded) = to_ascii_label(&long) {
            assert!(encoded.starts_with("xn--"));
        }
    }
}
