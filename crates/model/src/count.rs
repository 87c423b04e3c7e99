//! Numbers as people read them.

/// A count with thousands separators: `1,204`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    // The first group holds what is left over by groups of three.
    let first_group = match digits.len() % 3 {
        0 => 3,
        short => short,
    };
    let (first, rest) = digits.split_at(first_group.min(digits.len()));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    out.push_str(first);
    for group in rest.as_bytes().chunks(3) {
        out.push(',');
        out.extend(group.iter().map(|&d| char::from(d)));
    }
    out
}
