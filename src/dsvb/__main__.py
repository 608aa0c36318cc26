from dsvb.cli import main

main()
