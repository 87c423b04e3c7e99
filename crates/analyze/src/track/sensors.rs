//! A small set of sensors, for packets several sensors logged.

use picket_model::Sensor;

/// A set of [`Sensor`]s as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SensorSet(u16);

const ALL: [Sensor; 15] = Sensor::ALL;

fn bit(sensor: Sensor) -> u16 {
    let index = ALL.iter().position(|s| *s == sensor).unwrap_or(15);
    1 << index
}

impl SensorSet {
    /// The set holding one sensor.
    pub fn of(sensor: Sensor) -> SensorSet {
        SensorSet(bit(sensor))
    }

    /// Adds a sensor.
    pub fn insert(&mut self, sensor: Sensor) {
        self.0 |= bit(sensor);
    }

    /// Adds every sensor of `other`.
    pub fn union(&mut self, other: SensorSet) {
        self.0 |= other.0;
    }

    /// True when `sensor` is in the set.
    pub fn contains(self, sensor: Sensor) -> bool {
        self.0 & bit(sensor) != 0
    }

    /// True when the two sets share a sensor.
    pub fn intersects(self, other: SensorSet) -> bool {
        self.0 & other.0 != 0
    }

    /// How many sensors.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// True when empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The sensors, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Sensor> {
        ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut s = SensorSet::of(Sensor::Snort);
        assert!(s.contains(Sensor::Snort) && !s.contains(Sensor::Ipchains));
        s.insert(Sensor::Ipchains);
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![Sensor::Ipchains, Sensor::Snort]
        );
        assert!(s.intersects(SensorSet::of(Sensor::Ipchains)));
    }
}
