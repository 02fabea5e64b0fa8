//! Where each option's value was written, kept beside the values so that validation can
//! point at the offending assignment, or at the element inside it, after evaluation.

use std::path::PathBuf;

use indexmap::IndexMap;

use crate::error::Pos;

/// The assignment that gave an option its final value.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The file the assignment is in (an included file when it came from there).
    pub path: PathBuf,
    /// Where the option name is written.
    pub pos: Pos,
    /// Where the value and its elements are written.
    pub value: ValuePos,
}

/// The position of a value and, when it was written as a literal, of its elements:
/// list and tuple items in order, dict entries as key, value, key, value, ...
///
/// Values that come from a name reference or `%` have no element positions; callers
/// fall back to the enclosing position.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuePos {
    /// Where the value expression starts.
    pub pos: Pos,
    /// Element positions, empty when unknown.
    pub items: Vec<ValuePos>,
}

impl ValuePos {
    /// A value whose elements have no known positions.
    pub fn leaf(pos: Pos) -> Self {
        Self {
            pos,
            items: Vec::new(),
        }
    }

    /// A cursor for walking into the value's elements.
    pub fn at(&self) -> At<'_> {
        At {
            tree: Some(self),
            pos: self.pos,
        }
    }
}

/// A position inside a value that degrades gracefully: walking into an element whose
/// position is unknown stays at the nearest known enclosing position.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    tree: Option<&'a ValuePos>,
    /// The best known position.
    pub pos: Pos,
}

impl<'a> At<'a> {
    /// Element `index` of a list or tuple.
    pub fn item(self, index: usize) -> At<'a> {
        match self.tree.and_then(|tree| tree.items.get(index)) {
            Some(tree) => At {
                tree: Some(tree),
                pos: tree.pos,
            },
            None => At {
                tree: None,
                pos: self.pos,
            },
        }
    }

    /// The key of dict entry `index`.
    pub fn key(self, index: usize) -> At<'a> {
        self.item(2 * index)
    }

    /// The value of dict entry `index`.
    pub fn value(self, index: usize) -> At<'a> {
        self.item(2 * index + 1)
    }
}

/// Option names to where they were last assigned.
pub type Origins = IndexMap<String, Origin>;
