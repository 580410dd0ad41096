from sim111.engine.streams import RandomStreams, stream_key


def test_stream_key_is_stable_across_processes():
    # A fixed value: stream seeds must not depend on PYTHONHASHSEED or order of use.
    assert stream_key("arrivals") == 3786172146216372507  # sha256-based, pinned
    assert stream_key("arrivals") == stream_key("arrivals")
    assert stream_key("arrivals") != stream_key("patience")


def test_streams_do_not_depend_on_order_of_first_use():
    a = RandomStreams(7, 0)
    x1 = a.generator("patience").random(3)
    a.generator("arrivals").random(3)
    b = RandomStreams(7, 0)
    b.generator("arrivals").random(10)
    x2 = b.generator("patience").random(3)
    assert x1.tolist() == x2.tolist()


def test_replications_and_seeds_differ():
    first = RandomStreams(7, 0).generator("arrivals").random()
    assert first != RandomStreams(7, 1).generator("arrivals").random()
    assert first != RandomStreams(8, 0).generator("arrivals").random()
