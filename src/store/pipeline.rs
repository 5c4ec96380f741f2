//! Work on a stream in chunks: this thread reads the chunks (a SQLite statement steps on the thread that holds
//! its connection), worker threads do the pure work of each (hashing), and this thread takes the results back in
//! the order the chunks were read. Memory stays bounded: at most two chunks per worker are in flight.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::error::{Error, Result};

/// More threads than this only wait on the reading thread.
const MAX_WORKERS: usize = 8;

type Job<T, R> = (T, SyncSender<(T, R)>);

/// `produce` chunks until it returns `None`; `work` each on a worker; `consume` each chunk with its result in
/// order, until it returns `false` (stop early: the rest is not read) or an error.
pub(crate) fn ordered<T: Send, R: Send>(
    mut produce: impl FnMut() -> Result<Option<T>>,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(T, R) -> Result<bool>,
) -> Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_WORKERS);
    let (jobs, queue) = sync_channel::<Job<T, R>>(workers);
    let queue = Mutex::new(queue);
    std::thread::scope(|scope| {
        // Moved in, so that returning (early or not) drops it and the workers end before the scope joins them.
        let jobs = jobs;
        for _ in 0..workers {
            let (queue, work) = (&queue, &work);
            scope.spawn(move || worker(queue, work));
        }
        let mut in_flight: VecDeque<Receiver<(T, R)>> = VecDeque::new();
        let mut more = true;
        loop {
            while more && in_flight.len() < 2 * workers {
                match produce()? {
                    Some(chunk) => {
                        let (reply, result) = sync_channel(1);
                        jobs.send((chunk, reply)).map_err(|_| stopped())?;
                        in_flight.push_back(result);
                    }
                    None => more = false,
                }
            }
            let Some(next) = in_flight.pop_front() else { return Ok(()) };
            let (chunk, result) = next.recv().map_err(|_| stopped())?;
            if !consume(chunk, result)? {
                return Ok(());
            }
        }
    })
}

fn worker<T, R>(queue: &Mutex<Receiver<Job<T, R>>>, work: &(impl Fn(&T) -> R + Sync)) {
    loop {
        // The lock is held only while waiting for the next job, not while working on it.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok((chunk, reply)) = job else { return };
        let result = work(&chunk);
        // The reader stopped early: nothing wants the result.
        if reply.send((chunk, result)).is_err() {
            return;
        }
    }
}

/// A worker ended before its chunk was done: only a panic does that, which the scope re-raises on join.
fn stopped() -> Error {
    Error::Corrupt("a verification worker stopped before its work was done".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_and_stop_early() {
        let mut next = 0u32;
        let mut seen = vec![];
        ordered(
            || {
                next += 1;
                Ok((next <= 50).then_some(next))
            },
            |n| n * 10,
            |n, r| {
                seen.push((n, r));
                Ok(n < 40)
            },
        )
        .expect("runs");
        assert_eq!(seen, (1..=40).map(|n| (n, n * 10)).collect::<Vec<_>>());
    }

    #[test]
    fn an_error_from_either_side_is_returned() {
        let failed = ordered(|| Err::<Option<u8>, _>(Error::Corrupt("read".into())), |_| (), |_, _| Ok(true));
        assert!(matches!(failed, Err(Error::Corrupt(m)) if m == "read"));
        let mut n = 0;
        let failed = ordered(
            || {
                n += 1;
                Ok(Some(n))
            },
            |_| (),
            |n, _| if n == 3 { Err(Error::Corrupt("consume".into())) } else { Ok(true) },
        );
        assert!(matches!(failed, Err(Error::Corrupt(m)) if m == "consume"));
    }
}
