from iqtl.cli.app import main

main()
