//! Whether a source comes back on a schedule: daily (most days of its span),
//! weekly (a week apart, often on one weekday), or irregularly; and, when it
//! shows up at a similar time each day, about when.

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use crate::time::clock;

/// Fewer days than this say nothing about a pattern.
pub const MIN_DAYS_FOR_PATTERN: usize = 4;

/// Share of the days of its span a source must be seen on to be "daily".
const DAILY_SHARE: f64 = 0.7;

/// Share of the gaps between sightings that must be about a week for
/// "weekly".
const WEEKLY_SHARE: f64 = 0.75;

/// Share of the days whose first sighting must fall in one window for an
/// "about HH:MM".
const HOUR_SHARE: f64 = 0.8;

/// Half the width of that window, in minutes.
const HOUR_WINDOW: i32 = 60;

/// The pattern of the days a source was seen on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "pattern", rename_all = "kebab-case")]
pub enum Regularity {
    /// Seen on too few days to tell.
    TooFewDays,
    /// Seen on most days of its span.
    Daily {
        /// The usual time of day (`15:00`), to the quarter hour, when the
        /// first sightings cluster.
        about: Option<String>,
    },
    /// Seen about a week apart.
    Weekly {
        /// The weekday most sightings fall on (`Mondays`), when one does.
        weekday: Option<String>,
        /// The usual time of day, as for daily.
        about: Option<String>,
    },
    /// Seen on several days with no schedule.
    Irregular,
}

impl Regularity {
    /// The analyst's words (`daily, about 15:00`, `weekly, on Mondays`,
    /// `irregular`), or `None` when there are too few days to say.
    pub fn describe(&self) -> Option<String> {
        match self {
            Regularity::TooFewDays => None,
            Regularity::Daily { about } => Some(match about {
                Some(at) => format!("daily, about {at}"),
                None => "daily".to_string(),
            }),
            Regularity::Weekly { weekday, about } => {
                let mut text = "weekly".to_string();
                if let Some(day) = weekday {
                    text.push_str(", on ");
                    text.push_str(day);
                }
                if let Some(at) = about {
                    text.push_str(", about ");
                    text.push_str(at);
                }
                Some(text)
            }
            Regularity::Irregular => Some("irregular".to_string()),
        }
    }
}

/// Judges the pattern of `days`: the distinct days a source was seen on,
/// each with the minute of the day it first showed up when known. Order
/// does not matter.
pub fn regularity(days: &[(Date, Option<u16>)]) -> Regularity {
    let mut numbers: Vec<i64> = days.iter().map(|(d, _)| day_number(*d)).collect();
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.len() < MIN_DAYS_FOR_PATTERN {
        return Regularity::TooFewDays;
    }
    let (Some(first), Some(last)) = (numbers.first(), numbers.last()) else {
        return Regularity::TooFewDays;
    };
    let span = (last - first + 1) as f64;
    let seen = numbers.len() as f64;
    let minutes: Vec<u16> = days.iter().filter_map(|(_, m)| *m).collect();
    if seen >= DAILY_SHARE * span {
        return Regularity::Daily {
            about: usual_minute(&minutes).map(clock),
        };
    }
    let gaps: Vec<i64> = numbers.windows(2).map(|w| w[1] - w[0]).collect();
    let weekly_gaps = gaps.iter().filter(|g| (6..=8).contains(*g)).count() as f64;
    if weekly_gaps >= WEEKLY_SHARE * gaps.len() as f64 {
        return Regularity::Weekly {
            weekday: usual_weekday(days),
            about: usual_minute(&minutes).map(clock),
        };
    }
    Regularity::Irregular
}

/// The time of day most first sightings cluster around, to the quarter
/// hour, when at least [`HOUR_SHARE`] of them fall within an hour of it
/// (across midnight too); needs three sightings.
fn usual_minute(minutes: &[u16]) -> Option<u16> {
    if minutes.len() < 3 {
        return None;
    }
    let offset = |from: u16, to: u16| -> i32 {
        // Signed distance on the 24-hour circle, in -720..720.
        let d = (i32::from(to) - i32::from(from)).rem_euclid(1440);
        if d >= 720 { d - 1440 } else { d }
    };
    let (center, members) = minutes
        .iter()
        .map(|&c| {
            let near = minutes
                .iter()
                .filter(|&&m| offset(c, m).abs() <= HOUR_WINDOW)
                .count();
            (c, near)
        })
        .max_by_key(|&(c, near)| (near, std::cmp::Reverse(c)))?;
    if (members as f64) < HOUR_SHARE * minutes.len() as f64 {
        return None;
    }
    let near: Vec<i32> = minutes
        .iter()
        .map(|&m| offset(center, m))
        .filter(|d| d.abs() <= HOUR_WINDOW)
        .collect();
    let mean = near.iter().sum::<i32>() as f64 / near.len().max(1) as f64;
    let exact = (f64::from(center) + mean).rem_euclid(1440.0);
    let quarter = ((exact / 15.0).round() as i32 * 15).rem_euclid(1440);
    u16::try_from(quarter).ok()
}

/// The weekday most days fall on, when at least [`WEEKLY_SHARE`] do.
fn usual_weekday(days: &[(Date, Option<u16>)]) -> Option<String> {
    let mut counts = [0usize; 7];
    for (date, _) in days {
        let index = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
        if let Some(count) = counts.get_mut(index) {
            *count += 1;
        }
    }
    let (index, count) = counts
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|&(i, c)| (c, std::cmp::Reverse(i)))?;
    if (count as f64) < WEEKLY_SHARE * days.len() as f64 {
        return None;
    }
    let weekday = Weekday::from_monday_zero_offset(i8::try_from(index).ok()?).ok()?;
    Some(
        match weekday {
            Weekday::Monday => "Mondays",
            Weekday::Tuesday => "Tuesdays",
            Weekday::Wednesday => "Wednesdays",
            Weekday::Thursday => "Thursdays",
            Weekday::Friday => "Fridays",
            Weekday::Saturday => "Saturdays",
            Weekday::Sunday => "Sundays",
        }
        .to_string(),
    )
}

/// Days since 1970-01-01 (proleptic Gregorian), for spans and gaps.
pub(crate) fn day_number(date: Date) -> i64 {
    let month = i64::from(date.month());
    let day = i64::from(date.day());
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn days_at(
        start: Date,
        step: i64,
        count: i64,
        minute: Option<u16>,
    ) -> Vec<(Date, Option<u16>)> {
        (0..count)
            .map(|i| {
                let d = start.checked_add(jiff::Span::new().days(i * step)).unwrap();
                (d, minute)
            })
            .collect()
    }

    #[test]
    fn day_numbers_match_the_calendar() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        assert_eq!(
            day_number(date(2000, 2, 29)) + 1,
            day_number(date(2000, 3, 1))
        );
    }

    #[test]
    fn daily_near_midnight_wraps() {
        let mut days = days_at(date(2000, 9, 1), 1, 6, None);
        for (i, (_, m)) in days.iter_mut().enumerate() {
            *m = Some(if i % 2 == 0 { 23 * 60 + 55 } else { 5 });
        }
        assert_eq!(
            regularity(&days).describe().as_deref(),
            Some("daily, about 00:00")
        );
    }

    #[test]
    fn weekly_on_one_weekday() {
        // 2000-09-04 was a Monday.
        let days = days_at(date(2000, 9, 4), 7, 6, Some(3 * 60 + 37));
        assert_eq!(
            regularity(&days).describe().as_deref(),
            Some("weekly, on Mondays, about 03:30")
        );
    }

    #[test]
    fn scattered_days_are_irregular_and_few_days_say_nothing() {
        let days: Vec<(Date, Option<u16>)> = [1, 2, 11, 30, 31]
            .iter()
            .map(|&d| (date(2000, 10, d), None))
            .collect();
        assert_eq!(regularity(&days), Regularity::Irregular);
        assert_eq!(regularity(&days[..3]), Regularity::TooFewDays);
        assert_eq!(Regularity::TooFewDays.describe(), None);
    }

    #[test]
    fn spread_hours_give_no_time() {
        let minutes = [60, 300, 600, 900, 1200];
        let days: Vec<(Date, Option<u16>)> = minutes
            .iter()
            .enumerate()
            .map(|(i, &m)| (date(2000, 9, 1 + i as i8), Some(m)))
            .collect();
        assert_eq!(regularity(&days).describe().as_deref(), Some("daily"));
    }
}
