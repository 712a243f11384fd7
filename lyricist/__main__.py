from lyricist.cli import main

main()
