use std::io::{Read, Write};

use super::*;

fn key(byte: u8) -> BackupKey {
    BackupKey::derive(&MasterKey::from_bytes([byte; 32]))
}

fn seal(plain: &[u8], key: &BackupKey) -> Vec<u8> {
    let mut w = SealWriter::new(Vec::new(), key).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap()
}

fn open(sealed: &[u8], key: &BackupKey) -> Result<Vec<u8>, OpenError> {
    let mut out = Vec::new();
    OpenReader::new(sealed, key)
        .and_then(|mut r| r.read_to_end(&mut out))
        .map_err(|e| open_error_of(&e).cloned().expect("an OpenError"))?;
    Ok(out)
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn key_id_is_the_master_keys_and_depends_on_the_key() {
    assert_eq!(key(1).key_id().len(), 8);
    assert_eq!(key(1).key_id(), MasterKey::from_bytes([1; 32]).id());
    assert_ne!(key(1).key_id(), key(2).key_id());
    assert_eq!(
        format!("{:?}", key(1)),
        format!("BackupKey({})", key(1).key_id())
    );
}

/// Every stored backup was sealed with these: changing either makes them all unreadable.
#[test]
fn the_format_parameters_stay_as_backups_were_written() {
    assert_eq!(BACKUP_INFO, b"armario/backup/v1");
    assert_eq!(key(7).key_id(), "86edbb24");
    assert_eq!(MAGIC, b"ARMBAK01");
    assert_eq!(CHUNK_SIZE, 1 << 20);
}

/// The chunks are sealed with `ring`; objects stored before were sealed with the `aes-gcm`
/// crate. Each opens what the other sealed, byte for byte the same format.
#[test]
fn chunks_sealed_by_either_aes_gcm_implementation_open_with_the_other() {
    use aes_gcm::aead::AeadInPlace;
    let master = MasterKey::from_bytes([9; 32]);
    let key = BackupKey::derive(&master);
    let subkey = master.derive(BACKUP_INFO);
    let other = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&subkey));
    let plain = sample(CHUNK_SIZE + 100);

    // Sealed here, opened with the crate: the header, then two chunks.
    let sealed = seal(&plain, &key);
    let header: [u8; HEADER_LEN] = sealed[..HEADER_LEN].try_into().unwrap();
    let base: [u8; 12] = header[20..].try_into().unwrap();
    let mut opened = Vec::new();
    let records: Vec<&[u8]> = sealed[HEADER_LEN..].chunks(CHUNK_SIZE + TAG_LEN).collect();
    for (i, record) in records.iter().enumerate() {
        let mut buf = record.to_vec();
        let aad = aad_for(&header, i as u64, i + 1 == records.len());
        other
            .decrypt_in_place(
                Nonce::from_slice(&nonce_for(&base, i as u64)),
                &aad,
                &mut buf,
            )
            .expect("the crate opens the chunk");
        opened.extend_from_slice(&buf);
    }
    assert_eq!(opened, plain);

    // Sealed with the crate, as before, opened here.
    let mut stream = header.to_vec();
    for (i, part) in plain.chunks(CHUNK_SIZE).enumerate() {
        let mut buf = part.to_vec();
        let aad = aad_for(&header, i as u64, i == 1);
        other
            .encrypt_in_place(
                Nonce::from_slice(&nonce_for(&base, i as u64)),
                &aad,
                &mut buf,
            )
            .unwrap();
        stream.extend_from_slice(&buf);
    }
    assert_eq!(stream, sealed, "the same bytes");
    assert_eq!(open(&stream, &key).unwrap(), plain);
}

#[test]
fn round_trips_empty_exact_and_ragged_lengths() {
    let k = key(7);
    for len in [
        0,
        1,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        CHUNK_SIZE + 1,
        2 * CHUNK_SIZE,
        3 * CHUNK_SIZE + 5,
    ] {
        let plain = sample(len);
        let sealed = seal(&plain, &k);
        let chunks = len.div_ceil(CHUNK_SIZE).max(1);
        assert_eq!(
            sealed.len(),
            HEADER_LEN + len + chunks * TAG_LEN,
            "len {len}"
        );
        assert_eq!(open(&sealed, &k).unwrap(), plain, "len {len}");
    }
}

#[test]
fn wrong_key_is_named_before_decrypting() {
    let sealed = seal(b"hello", &key(1));
    match open(&sealed, &key(2)) {
        Err(OpenError::WrongKey { expected, actual }) => {
            assert_eq!(expected, key(1).key_id());
            assert_eq!(actual, key(2).key_id());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncation_at_a_chunk_boundary_is_told_apart() {
    let k = key(3);
    let sealed = seal(&sample(2 * CHUNK_SIZE + 10), &k);
    let cut = &sealed[..HEADER_LEN + CHUNK_SIZE + TAG_LEN];
    assert!(matches!(open(cut, &k), Err(OpenError::Truncated(_))));
    assert!(matches!(
        open(&sealed[..HEADER_LEN], &k),
        Err(OpenError::Truncated(_))
    ));
    assert!(matches!(
        open(&sealed[..10], &k),
        Err(OpenError::Truncated(_))
    ));
}

#[test]
fn flipped_bytes_and_swapped_chunks_fail_authentication() {
    let k = key(4);
    let sealed = seal(&sample(2 * CHUNK_SIZE + 10), &k);
    let mut flipped = sealed.clone();
    flipped[HEADER_LEN + 100] ^= 1;
    assert!(matches!(open(&flipped, &k), Err(OpenError::Tampered(_))));
    let mut header = sealed.clone();
    header[25] ^= 1;
    assert!(matches!(open(&header, &k), Err(OpenError::Tampered(_))));
    let rec = CHUNK_SIZE + TAG_LEN;
    let mut swapped = sealed[..HEADER_LEN].to_vec();
    swapped.extend_from_slice(&sealed[HEADER_LEN + rec..HEADER_LEN + 2 * rec]);
    swapped.extend_from_slice(&sealed[HEADER_LEN..HEADER_LEN + rec]);
    swapped.extend_from_slice(&sealed[HEADER_LEN + 2 * rec..]);
    assert!(matches!(open(&swapped, &k), Err(OpenError::Tampered(_))));
}
