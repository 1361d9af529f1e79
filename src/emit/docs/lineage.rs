//! The lineage diagram: contracts as boxes in columns, upstream on the
//! left, references as arrows. Laid out here, drawn by lineage.html.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// A lineage diagram: boxes for contracts, upstream on the left.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Diagram {
    pub width: u32,
    pub height: u32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub contract: String,
    pub heading: String,
    pub html: String,
    pub md: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The page's own contract.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// The referenced (upstream) contract.
    pub from: String,
    /// The referencing (downstream) contract.
    pub to: String,
    pub from_index: usize,
    pub to_index: usize,
    /// SVG path data.
    pub path: String,
}

const NODE_HEIGHT: u32 = 32;
const CHAR_WIDTH: u32 = 8;
const PAD: u32 = 12;
const COLUMN_GAP: u32 = 72;
const ROW_GAP: u32 = 14;
const MARGIN: u32 = 8;

/// Lay out contracts in columns: a contract sits one column right of the
/// rightmost contract it references. Deterministic: the input is sorted,
/// and within a column contracts are ordered by their upstreams' rows.
pub fn layout(
    nodes: &[(&str, &str)],
    edges: &BTreeSet<(String, String)>,
    current: Option<&str>,
) -> Diagram {
    let index: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (*c, i))
        .collect();
    let mut upstream: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (from, to) in edges {
        if let (Some(&f), Some(&t)) = (index.get(from.as_str()), index.get(to.as_str())) {
            upstream[t].push(f);
        }
    }
    // Longest path from a contract without upstreams; edges closing a cycle
    // are ignored. Depth-first with an explicit stack: a chain of any
    // length is fine.
    let mut layer: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut on_stack = vec![false; nodes.len()];
    for start in 0..nodes.len() {
        if layer[start].is_some() {
            continue;
        }
        on_stack[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&up) = upstream[node].get(*next) {
                *next += 1;
                if layer[up].is_none() && !on_stack[up] {
                    on_stack[up] = true;
                    stack.push((up, 0));
                }
                continue;
            }
            // Upstreams still on the stack close a cycle: ignored.
            let depth = upstream[node]
                .iter()
                .filter_map(|&up| layer[up].map(|l| l + 1))
                .max()
                .unwrap_or(0);
            layer[node] = Some(depth);
            on_stack[node] = false;
            stack.pop();
        }
    }
    let layer: Vec<usize> = layer.into_iter().map(Option::unwrap_or_default).collect();
    let columns = layer.iter().max().map_or(0, |m| m + 1);
    // Rows: column by column, by the mean row of upstreams already placed.
    let mut row = vec![0usize; nodes.len()];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (n, &l) in layer.iter().enumerate() {
        members[l].push(n);
    }
    for (col, slot) in members.iter_mut().enumerate() {
        let mut these: Vec<(usize, usize)> = slot
            .iter()
            .map(|&n| {
                let placed: Vec<usize> = upstream[n]
                    .iter()
                    .filter(|&&u| layer[u] < col)
                    .map(|&u| row[u])
                    .collect();
                let key = if placed.is_empty() {
                    0
                } else {
                    placed.iter().sum::<usize>() * 1000 / placed.len()
                };
                (key, n)
            })
            .collect();
        these.sort();
        for (r, &(_, n)) in these.iter().enumerate() {
            row[n] = r;
        }
        *slot = these.into_iter().map(|(_, n)| n).collect();
    }
    let width_of = |n: usize| nodes[n].0.chars().count() as u32 * CHAR_WIDTH + 2 * PAD;
    let col_width: Vec<u32> = members
        .iter()
        .map(|m| m.iter().map(|&n| width_of(n)).max().unwrap_or(0))
        .collect();
    let tallest = members.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let step = NODE_HEIGHT + ROW_GAP;
    let mut x_of_col = Vec::new();
    let mut x = MARGIN;
    for w in &col_width {
        x_of_col.push(x);
        x += w + COLUMN_GAP;
    }
    let width = x - COLUMN_GAP + MARGIN;
    let height = 2 * MARGIN + tallest * step - ROW_GAP;
    let mut out_nodes = Vec::new();
    let mut position = vec![(0u32, 0u32, 0u32); nodes.len()];
    for (col, m) in members.iter().enumerate() {
        let offset = (tallest - m.len() as u32) * step / 2;
        for &n in m {
            let (contract, heading) = nodes[n];
            let (x, y, w) = (
                x_of_col[col],
                MARGIN + offset + row[n] as u32 * step,
                width_of(n),
            );
            position[n] = (x, y, w);
            out_nodes.push((
                n,
                Node {
                    contract: contract.to_string(),
                    heading: heading.to_string(),
                    html: format!("{contract}.html"),
                    md: format!("{contract}.md"),
                    x,
                    y,
                    width: w,
                    height: NODE_HEIGHT,
                    current: current == Some(contract),
                },
            ));
        }
    }
    // Nodes in input (id) order; `from_index`/`to_index` refer to it.
    out_nodes.sort_by_key(|(n, _)| *n);
    let mut out_edges = Vec::new();
    for (from, to) in edges {
        let (Some(&f), Some(&t)) = (index.get(from.as_str()), index.get(to.as_str())) else {
            continue;
        };
        let (fx, fy, fw) = position[f];
        let (tx, ty, _) = position[t];
        let (x1, y1) = (fx + fw, fy + NODE_HEIGHT / 2);
        let (x2, y2) = (tx, ty + NODE_HEIGHT / 2);
        let bend = (x1.abs_diff(x2) / 2).max(32);
        out_edges.push(Edge {
            from: from.clone(),
            to: to.clone(),
            from_index: f,
            to_index: t,
            path: format!(
                "M{x1} {y1} C{} {y1} {} {y2} {} {y2}",
                x1 + bend,
                x2.saturating_sub(bend),
                x2.saturating_sub(2)
            ),
        });
    }
    Diagram {
        width,
        height,
        nodes: out_nodes.into_iter().map(|(_, node)| node).collect(),
        edges: out_edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_puts_upstream_left_and_survives_cycles() {
        let nodes = [("a", "a"), ("b", "b"), ("c", "c")];
        let edges: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a")]
            .into_iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let d = layout(&nodes, &edges, None);
        assert_eq!(d.nodes.len(), 3);
        assert_eq!(d.edges.len(), 3);
        let xs: BTreeSet<u32> = d.nodes.iter().map(|n| n.x).collect();
        assert_eq!(xs.len(), 3, "a cycle is laid out in three columns: {d:?}");
        let chain = [("a", "b"), ("b", "c")]
            .into_iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let d = layout(&nodes, &chain, Some("b"));
        let x = |c: &str| d.nodes.iter().find(|n| n.contract == c).unwrap().x;
        assert!(x("a") < x("b") && x("b") < x("c"), "{d:?}");
        assert!(d.nodes.iter().all(|n| n.current == (n.contract == "b")));
    }

    #[test]
    fn a_long_chain_is_laid_out_without_deep_recursion() {
        let names: Vec<String> = (0..100_000).map(|i| format!("c{i:06}")).collect();
        let nodes: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
        let edges: BTreeSet<(String, String)> = names
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
        let d = layout(&nodes, &edges, None);
        assert_eq!(d.edges.len(), 99_999);
        assert!(d.nodes[99_999].x > d.nodes[0].x);
    }
}
